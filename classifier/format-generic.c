/*
 * format-generic.c: the generic bounce reader. It knows no MTA. It reads what every
 * delivery failure report has in some mix (a mail-system sender, Auto-Submitted,
 * failure words in the subject and the opening text, in many languages, a returned
 * message, an SMTP transcript, reply and status codes next to an address) and names
 * as failed recipients only the addresses that stand next to failure evidence:
 *
 *   - "<address>:" (or "address:") opening a paragraph that reports an error;
 *   - "RCPT TO:<address>" followed by an error reply;
 *   - a line that holds an address and an error (a reply code, a status code or a
 *     failure word), with its continuation lines;
 *   - the addresses listed under a failure heading ("The following recipients
 *     failed:").
 *
 * The list's own addresses are never recipients: the bounce's From, To, Cc and
 * Return-Path, the returned message's From, Sender, Reply-To and Return-Path, and
 * postmaster or MAILER-DAEMON anywhere. Where the returned message names its
 * recipients (To, Cc, Received "for <address>"), candidates found only by the
 * weakest reading must be among them.
 *
 * It runs when no decoder for a particular format took the message, and it stands
 * on its own (`parse --generic-only`); the MTA decoders refine what it cannot know.
 * The reason is left to the rules, which read the diagnostic it hands on.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "ac.h"
#include "address.h"
#include "format.h"
#include "plaintext.h"
#include "report.h"
#include "text.h"
#include "xalloc.h"

/* What a phrase is evidence of. A phrase may be several. */
enum {
	W_SUBJECT	= 1 << 0,	/* a subject that says delivery failed */
	W_INTRO		= 1 << 1,	/* an opening sentence: delivery failed */
	W_HEADING	= 1 << 2,	/* introduces a list of failed recipients */
	W_ERROR		= 1 << 3,	/* words of an error next to an address */
	W_RETURNED	= 1 << 4,	/* the returned message starts after this line */
	W_DELAY		= 1 << 5,	/* the server is still trying */
	W_FINAL		= 1 << 6,	/* the server has given up */
	W_NOTFAIL	= 1 << 7,	/* a subject that reports success, not failure */
	W_AUTOREPLY	= 1 << 8,	/* a subject of an auto-reply */
	W_SUCCESS	= 1 << 9,	/* delivery succeeded */
	W_TRANSIENT	= 1 << 10	/* "non-fatal": the line's "fatal error" is not final */
};

struct word {
	const char	*text;		/* lower case (ASCII), UTF-8 */
	unsigned	 kinds;
};

/*
 * The vocabulary. English first, then German, French, Spanish, Portuguese, Italian,
 * Dutch, Russian, Polish, Chinese (simplified and traditional), Japanese, Korean.
 * Phrases are matched anywhere in a line, in lower case (ASCII, Latin and Cyrillic
 * capitals folded: text_lower); keep them long enough to mean one thing.
 */
static const struct word words[] = {

	/* subjects and opening sentences */
	{ "undeliverable", W_SUBJECT | W_INTRO | W_HEADING },
	{ "undelivered", W_SUBJECT | W_INTRO },
	{ "undeliverd", W_SUBJECT },
	{ "non-deliverable", W_SUBJECT | W_INTRO },
	{ "nondeliverable", W_SUBJECT | W_INTRO },
	{ "non deliverable", W_SUBJECT | W_INTRO },
	{ "non-delivery", W_SUBJECT | W_INTRO },
	{ "nondelivery", W_SUBJECT | W_INTRO },
	{ "delivery failure", W_SUBJECT | W_INTRO },
	{ "delivery failed", W_SUBJECT | W_INTRO | W_HEADING },
	{ "delivery has failed", W_SUBJECT | W_INTRO | W_HEADING },
	{ "delivery problem", W_SUBJECT | W_INTRO },
	{ "delivery error", W_SUBJECT | W_INTRO },
	{ "delivery status notification", W_SUBJECT },
	{ "delivery notification", W_SUBJECT },
	{ "delivery report", W_SUBJECT },
	{ "failed delivery", W_SUBJECT | W_INTRO },
	{ "failure notice", W_SUBJECT | W_INTRO },
	{ "failure delivery", W_SUBJECT },
	{ "mail failure", W_SUBJECT | W_INTRO },
	{ "failed mail", W_SUBJECT | W_INTRO },
	{ "mail delivery failed", W_SUBJECT | W_INTRO },
	{ "mail system error", W_SUBJECT | W_INTRO },
	{ "message not delivered", W_SUBJECT | W_INTRO },
	{ "returned mail", W_SUBJECT | W_INTRO },
	{ "return mail", W_SUBJECT },
	{ "returned to sender", W_SUBJECT | W_INTRO },
	{ "mail returned", W_SUBJECT },
	{ "message returned", W_SUBJECT },
	{ "bounced mail", W_SUBJECT },
	{ "bounce notification", W_SUBJECT },
	{ "could not send", W_SUBJECT | W_INTRO },
	{ "couldn't send", W_SUBJECT | W_INTRO },
	{ "could not be sent", W_SUBJECT | W_INTRO },
	{ "couldn't be sent", W_SUBJECT | W_INTRO },
	{ "error sending", W_SUBJECT | W_INTRO },
	{ "sending failed", W_SUBJECT | W_INTRO },
	{ "send failure", W_SUBJECT },
	{ "problem delivering", W_SUBJECT | W_INTRO },
	{ "rejected:", W_SUBJECT },
	{ "message rejected", W_SUBJECT | W_INTRO },
	{ "unable to deliver", W_SUBJECT | W_INTRO | W_HEADING },
	{ "not be delivered", W_SUBJECT | W_INTRO | W_HEADING },
	{ "could not be delivered", W_SUBJECT | W_INTRO | W_HEADING },
	{ "couldn't be delivered", W_SUBJECT | W_INTRO | W_HEADING },
	{ "cannot be delivered", W_SUBJECT | W_INTRO | W_HEADING },
	{ "can not be delivered", W_SUBJECT | W_INTRO | W_HEADING },
	{ "can't be delivered", W_SUBJECT | W_INTRO | W_HEADING },
	{ "was not delivered", W_SUBJECT | W_INTRO | W_HEADING },
	{ "wasn't delivered", W_SUBJECT | W_INTRO | W_HEADING },
	{ "were not delivered", W_INTRO | W_HEADING },
	{ "has not been delivered", W_INTRO },
	{ "have not been delivered", W_INTRO },
	{ "not delivered to", W_INTRO | W_HEADING },
	{ "could not deliver", W_INTRO | W_HEADING },
	{ "couldn't deliver", W_INTRO | W_HEADING },
	{ "failed to deliver", W_SUBJECT | W_INTRO | W_HEADING },
	{ "not able to deliver", W_INTRO },
	{ "wasn't able to deliver", W_INTRO },
	{ "was unable to deliver", W_INTRO },
	{ "delivery to the following", W_INTRO | W_HEADING },
	{ "delivery attempts", W_INTRO },
	{ "delivery warning", W_SUBJECT | W_DELAY },
	{ "did not reach", W_INTRO | W_HEADING },
	{ "permanent error", W_INTRO | W_FINAL },
	{ "permanent failure", W_INTRO | W_FINAL },
	{ "permanently failed", W_INTRO | W_FINAL },
	{ "failed permanently", W_INTRO | W_FINAL },
	{ "fatal error", W_INTRO | W_FINAL },
	{ "unrecoverable error", W_INTRO | W_FINAL },
	{ "message was rejected", W_INTRO },
	{ "has been rejected", W_INTRO },
	{ "rejected your message", W_INTRO },
	{ "message could not", W_INTRO },
	{ "message has been blocked", W_INTRO },
	{ "delivery of your message", W_INTRO },

	/* headings */
	{ "following address", W_HEADING },
	{ "following recipient", W_HEADING },
	{ "following destination", W_HEADING },
	{ "failed recipient", W_HEADING },
	{ "failure reason", W_HEADING },
	{ "recipients failed", W_HEADING },
	{ "address(es) failed", W_HEADING },
	{ "addresses failed", W_HEADING },
	{ "recipient(s)", W_HEADING },
	{ "invalid recipient", W_HEADING | W_ERROR },
	{ "unknown recipient", W_HEADING | W_ERROR },
	{ "bad recipient", W_HEADING | W_ERROR },
	{ "permanent fatal errors", W_HEADING | W_FINAL },
	/* German */
	{ "unzustellbar", W_SUBJECT | W_INTRO | W_HEADING },
	{ "nicht zustellbar", W_SUBJECT | W_INTRO | W_HEADING },
	{ "nicht zugestellt", W_SUBJECT | W_INTRO | W_HEADING },
	{ "nicht ausgeliefert", W_SUBJECT | W_INTRO | W_HEADING },
	{ "zustellung fehlgeschlagen", W_SUBJECT | W_INTRO },
	{ "fehler bei der zustellung", W_SUBJECT | W_INTRO },
	{ "zustellungsfehler", W_SUBJECT | W_INTRO },
	{ "konnte nicht zugestellt", W_INTRO | W_HEADING },
	{ "konnte nicht ausgeliefert", W_INTRO | W_HEADING },
	{ "dauerhafter fehler", W_INTRO | W_FINAL },
	{ "permanenter fehler", W_INTRO | W_FINAL },
	{ "folgende empfänger", W_HEADING },
	{ "folgenden empfänger", W_HEADING },
	{ "folgende adresse", W_HEADING },
	{ "folgenden adresse", W_HEADING },
	{ "nicht gefunden", W_ERROR },
	{ "ist voll", W_ERROR },

	/* French */
	{ "non remis", W_SUBJECT | W_INTRO | W_HEADING },
	{ "non distribu", W_SUBJECT | W_INTRO },
	{ "non délivr", W_SUBJECT | W_INTRO },
	{ "échec de la remise", W_SUBJECT | W_INTRO },
	{ "echec de la remise", W_SUBJECT | W_INTRO },
	{ "échec de remise", W_SUBJECT | W_INTRO },
	{ "échec de la distribution", W_SUBJECT | W_INTRO },
	{ "impossible de remettre", W_SUBJECT | W_INTRO | W_HEADING },
	{ "impossible de distribuer", W_SUBJECT | W_INTRO | W_HEADING },
	{ "impossible d'envoyer", W_SUBJECT | W_INTRO },
	{ "n'a pas pu être", W_INTRO | W_HEADING },
	{ "n'a pas pu etre", W_INTRO | W_HEADING },
	{ "n'ont pas pu être", W_INTRO | W_HEADING },
	{ "n'a pas été remis", W_INTRO | W_HEADING },
	{ "erreur permanente", W_INTRO | W_FINAL },
	{ "destinataires suivants", W_HEADING },
	{ "destinataire suivant", W_HEADING },
	{ "groupes suivants", W_HEADING },
	{ "a échoué", W_INTRO },
	{ "introuvable", W_ERROR },
	{ "est pleine", W_ERROR },

	/* Spanish */
	{ "no entregado", W_SUBJECT | W_INTRO },
	{ "no se pudo entregar", W_SUBJECT | W_INTRO | W_HEADING },
	{ "no se puede entregar", W_SUBJECT | W_INTRO | W_HEADING },
	{ "no se ha podido entregar", W_SUBJECT | W_INTRO | W_HEADING },
	{ "no pudo ser entregado", W_SUBJECT | W_INTRO | W_HEADING },
	{ "no ha podido ser entregado", W_SUBJECT | W_INTRO | W_HEADING },
	{ "no pudo entregarse", W_SUBJECT | W_INTRO },
	{ "error de entrega", W_SUBJECT | W_INTRO },
	{ "fallo en la entrega", W_SUBJECT | W_INTRO },
	{ "imposible entregar", W_SUBJECT | W_INTRO },
	{ "mensaje devuelto", W_SUBJECT },
	{ "error permanente", W_INTRO | W_FINAL },
	{ "siguientes destinatarios", W_HEADING },
	{ "estos destinatarios", W_HEADING },
	{ "no se encontr", W_ERROR },
	{ "está lleno", W_ERROR },

	/* Portuguese */
	{ "não entregue", W_SUBJECT | W_INTRO },
	{ "nao entregue", W_SUBJECT | W_INTRO },
	{ "não foi entregue", W_SUBJECT | W_INTRO | W_HEADING },
	{ "não pôde ser entregue", W_SUBJECT | W_INTRO | W_HEADING },
	{ "não pode ser entregue", W_SUBJECT | W_INTRO | W_HEADING },
	{ "nao pode ser entregue", W_SUBJECT | W_INTRO | W_HEADING },
	{ "não foi possível entregar", W_SUBJECT | W_INTRO | W_HEADING },
	{ "nao foi possivel entregar", W_SUBJECT | W_INTRO | W_HEADING },
	{ "falha na entrega", W_SUBJECT | W_INTRO },
	{ "erro permanente", W_INTRO | W_FINAL },
	{ "seguintes destinat", W_HEADING },
	{ "estes destinat", W_HEADING },
	{ "entrega falhou", W_SUBJECT | W_INTRO | W_HEADING },
	{ "não foi encontrad", W_ERROR },
	{ "está cheia", W_ERROR },

	/* Italian */
	{ "non recapitabile", W_SUBJECT | W_INTRO },
	{ "non recapitato", W_SUBJECT | W_INTRO },
	{ "mancata consegna", W_SUBJECT | W_INTRO },
	{ "impossibile recapitare", W_SUBJECT | W_INTRO | W_HEADING },
	{ "non è stato possibile recapitare", W_INTRO | W_HEADING },
	{ "non e' stato possibile recapitare", W_INTRO | W_HEADING },
	{ "non è stato recapitato", W_INTRO },
	{ "errore permanente", W_INTRO | W_FINAL },
	{ "seguenti destinatari", W_HEADING },
	{ "destinatari seguenti", W_HEADING },
	{ "questi destinatari", W_HEADING },
	{ "recapito non riuscito", W_SUBJECT | W_INTRO | W_HEADING },
	{ "non trovat", W_ERROR },
	{ "è piena", W_ERROR },

	/* Dutch */
	{ "onbestelbaar", W_SUBJECT | W_INTRO },
	{ "niet bezorgd", W_SUBJECT | W_INTRO | W_HEADING },
	{ "niet afgeleverd", W_SUBJECT | W_INTRO | W_HEADING },
	{ "niet worden bezorgd", W_INTRO | W_HEADING },
	{ "niet worden afgeleverd", W_INTRO | W_HEADING },
	{ "bezorging mislukt", W_SUBJECT | W_INTRO },
	{ "permanente fout", W_INTRO | W_FINAL },
	{ "volgende ontvanger", W_HEADING },
	{ "deze ontvangers", W_HEADING },
	{ "bezorging is mislukt", W_SUBJECT | W_INTRO | W_HEADING },
	{ "niet gevonden", W_ERROR },
	{ "is vol", W_ERROR },

	/* Nordic, Czech, Slovak, Hungarian, Turkish: subjects of localised reports */
	{ "olevererbart", W_SUBJECT | W_INTRO },
	{ "kunde inte levereras", W_SUBJECT | W_INTRO | W_HEADING },
	{ "kan ikke leveres", W_SUBJECT | W_INTRO | W_HEADING },
	{ "kunne ikke leveres", W_SUBJECT | W_INTRO | W_HEADING },
	{ "ikke leveret", W_SUBJECT | W_INTRO },
	{ "toimittamaton", W_SUBJECT | W_INTRO },
	{ "ei voitu toimittaa", W_SUBJECT | W_INTRO | W_HEADING },
	{ "nedoručiteln", W_SUBJECT | W_INTRO },
	{ "nelze doručit", W_SUBJECT | W_INTRO | W_HEADING },
	{ "kézbesíthetetlen", W_SUBJECT | W_INTRO },
	{ "teslim edilemedi", W_SUBJECT | W_INTRO | W_HEADING },

	/* Russian */
	{ "не доставлен", W_SUBJECT | W_INTRO | W_HEADING },
	{ "недоставлен", W_SUBJECT | W_INTRO },
	{ "не может быть доставлен", W_SUBJECT | W_INTRO | W_HEADING },
	{ "не удалось доставить", W_SUBJECT | W_INTRO | W_HEADING },
	{ "ошибка доставки", W_SUBJECT | W_INTRO },
	{ "не было доставлен", W_SUBJECT | W_INTRO | W_HEADING },
	{ "невозможно доставить", W_SUBJECT | W_INTRO | W_HEADING },
	{ "доставка не удалась", W_SUBJECT | W_INTRO },
	{ "следующим получател", W_HEADING },
	{ "следующих получател", W_HEADING },
	{ "следующему получател", W_HEADING },
	{ "следующие получател", W_HEADING },
	{ "следующим адрес", W_HEADING },
	{ "следующие адрес", W_HEADING },
	{ "следующих адрес", W_HEADING },
	{ "следующему адрес", W_HEADING },
	{ "не найден", W_ERROR },
	{ "переполнен", W_ERROR },
	{ "превыш", W_ERROR },
	{ "отклонен", W_ERROR },
	{ "заблокирован", W_ERROR },
	{ "неизвестн", W_ERROR },
	{ "исходное сообщение", W_RETURNED },

	/* Polish */
	{ "niedostarczon", W_SUBJECT | W_INTRO },
	{ "niedoręczon", W_SUBJECT | W_INTRO },
	{ "nie została dostarczon", W_SUBJECT | W_INTRO | W_HEADING },
	{ "nie zostało dostarczon", W_SUBJECT | W_INTRO | W_HEADING },
	{ "nie zostały dostarczon", W_SUBJECT | W_INTRO | W_HEADING },
	{ "zostać dostarczon", W_INTRO | W_HEADING },
	{ "nie można dostarczyć", W_SUBJECT | W_INTRO | W_HEADING },
	{ "nie udało się dostarczyć", W_SUBJECT | W_INTRO | W_HEADING },
	{ "nie udało się doręczyć", W_SUBJECT | W_INTRO | W_HEADING },
	{ "błąd dostarczenia", W_SUBJECT | W_INTRO },
	{ "błąd doręczenia", W_SUBJECT | W_INTRO },
	{ "następujących odbiorc", W_HEADING },
	{ "następującego odbiorc", W_HEADING },
	{ "następujący odbiorc", W_HEADING },
	{ "następujących adres", W_HEADING },
	{ "następującego adres", W_HEADING },
	{ "następujące adres", W_HEADING },
	{ "następujący adres", W_HEADING },
	{ "tych adresatów", W_HEADING },
	{ "tych odbiorców", W_HEADING },
	{ "nie powiodło się", W_INTRO },
	{ "nie znaleziono", W_ERROR },
	{ "nie istnieje", W_ERROR },
	{ "nieznan", W_ERROR },
	{ "przepełnion", W_ERROR },
	{ "przekroczon", W_ERROR },
	{ "odrzucon", W_ERROR },
	{ "zablokowan", W_ERROR },
	{ "oryginalna wiadomość", W_RETURNED },
	{ "wiadomość oryginalna", W_RETURNED },

	/* Chinese, simplified and traditional */
	{ "退信", W_SUBJECT | W_INTRO },
	{ "未送达", W_SUBJECT | W_INTRO },
	{ "未能送达", W_SUBJECT | W_INTRO },
	{ "无法投递", W_SUBJECT | W_INTRO | W_HEADING },
	{ "无法送达", W_SUBJECT | W_INTRO | W_HEADING },
	{ "投递失败", W_SUBJECT | W_INTRO },
	{ "发送失败", W_SUBJECT | W_INTRO },
	{ "退回", W_SUBJECT | W_INTRO },
	{ "無法傳遞", W_SUBJECT | W_INTRO | W_HEADING },
	{ "無法投遞", W_SUBJECT | W_INTRO | W_HEADING },
	{ "無法送達", W_SUBJECT | W_INTRO | W_HEADING },
	{ "傳送失敗", W_SUBJECT | W_INTRO },
	{ "投遞失敗", W_SUBJECT | W_INTRO },
	{ "退件", W_SUBJECT | W_INTRO },
	{ "以下收件人", W_HEADING },
	{ "下列收件人", W_HEADING },
	{ "以下收件者", W_HEADING },
	{ "下列收件者", W_HEADING },
	{ "以下地址", W_HEADING },
	{ "下列地址", W_HEADING },
	{ "这些收件人", W_HEADING },
	{ "這些收件者", W_HEADING },
	{ "這些收件人", W_HEADING },
	{ "找不到", W_ERROR },
	{ "已满", W_ERROR },
	{ "已滿", W_ERROR },

	/* Japanese */
	{ "配信不能", W_SUBJECT | W_INTRO },
	{ "配送不能", W_SUBJECT | W_INTRO },
	{ "送信失敗", W_SUBJECT | W_INTRO },
	{ "配信できません", W_SUBJECT | W_INTRO | W_HEADING },
	{ "送信できません", W_SUBJECT | W_INTRO | W_HEADING },
	{ "配送できません", W_SUBJECT | W_INTRO | W_HEADING },
	{ "届けることができませ", W_INTRO | W_HEADING },
	{ "配信に失敗", W_SUBJECT | W_INTRO },
	{ "不達", W_SUBJECT | W_INTRO },
	{ "未達", W_SUBJECT | W_INTRO },
	{ "届きませんでした", W_SUBJECT | W_INTRO | W_HEADING },
	{ "配達できません", W_SUBJECT | W_INTRO | W_HEADING },
	{ "送達できません", W_SUBJECT | W_INTRO | W_HEADING },
	{ "配信されませんでした", W_SUBJECT | W_INTRO | W_HEADING },
	{ "返送されました", W_SUBJECT | W_INTRO },
	{ "エラーメール", W_SUBJECT },
	{ "送信に失敗", W_SUBJECT | W_INTRO },
	{ "以下のあて先", W_HEADING },
	{ "以下の宛先", W_HEADING },
	{ "次の宛先", W_HEADING },
	{ "次のあて先", W_HEADING },
	{ "次の受信者", W_HEADING },
	{ "以下の受信者", W_HEADING },
	{ "見つかりません", W_ERROR },
	{ "いっぱい", W_ERROR },

	/* Korean */
	{ "반송", W_SUBJECT | W_INTRO },
	{ "전달되지 않았", W_SUBJECT | W_INTRO | W_HEADING },
	{ "전달하지 못했", W_SUBJECT | W_INTRO | W_HEADING },
	{ "배달되지 않았", W_SUBJECT | W_INTRO | W_HEADING },
	{ "발송 실패", W_SUBJECT | W_INTRO },
	{ "다음 수신자", W_HEADING },
	{ "다음 받는 사람", W_HEADING },
	{ "배달하지 못했", W_SUBJECT | W_INTRO | W_HEADING },
	{ "찾을 수 없", W_ERROR },
	{ "존재하지 않", W_ERROR },
	{ "초과", W_ERROR },
	{ "전송 실패", W_SUBJECT | W_INTRO },
	{ "배달 실패", W_SUBJECT | W_INTRO },


	/* words of an error, next to an address */
	{ "unknown", W_ERROR },
	{ "does not exist", W_ERROR },
	{ "doesn't exist", W_ERROR },
	{ "not exist", W_ERROR },
	{ "no such", W_ERROR },
	{ "not known", W_ERROR },
	{ "no match", W_ERROR },
	{ "not match", W_ERROR },
	{ "did not respond", W_ERROR },
	{ "not responding", W_ERROR },
	{ "no response", W_ERROR },
	{ "full mailbox", W_ERROR },
	{ "not been collected", W_ERROR },
	{ "not found", W_ERROR },
	{ "invalid", W_ERROR },
	{ "illegal", W_ERROR },
	{ "reason:", W_ERROR },
	{ "rejected", W_ERROR },
	{ "refused", W_ERROR },
	{ "denied", W_ERROR },
	{ "failed", W_ERROR },
	{ "failure", W_ERROR },
	{ "unavailable", W_ERROR },
	{ "disabled", W_ERROR },
	{ "deactivated", W_ERROR },
	{ "inactive", W_ERROR },
	{ "suspended", W_ERROR },
	{ "mailbox full", W_ERROR },
	{ "mailbox is full", W_ERROR },
	{ "quota", W_ERROR },
	{ "exceeded", W_ERROR },
	{ "exceeds", W_ERROR },
	{ "not valid", W_ERROR },
	{ "over the limit", W_ERROR },
	{ "too large", W_ERROR },
	{ "too big", W_ERROR },
	{ "not allowed", W_ERROR },
	{ "not permitted", W_ERROR },
	{ "blocked", W_ERROR },
	{ "blacklist", W_ERROR },
	{ "blocklist", W_ERROR },
	{ "timed out", W_ERROR },
	{ "timeout", W_ERROR },
	{ "expired", W_ERROR },
	{ "unreachable", W_ERROR },
	{ "unroutable", W_ERROR },
	{ "unrouteable", W_ERROR },
	{ "no mailbox", W_ERROR },
	{ "no longer", W_ERROR },
	{ "not listed", W_ERROR },
	{ "not recogni", W_ERROR },
	{ "discontinued", W_ERROR },
	{ "no account", W_ERROR },
	{ "account is closed", W_ERROR },
	{ "over quota", W_ERROR },
	{ "not a valid", W_ERROR },
	{ "not accept", W_ERROR },
	{ "unable to", W_ERROR },
	{ "could not", W_ERROR },
	{ "couldn't", W_ERROR },
	{ "cannot", W_ERROR },
	{ "error", W_ERROR },
	{ "bad address", W_ERROR },
	{ "host not found", W_ERROR },
	{ "loops back", W_ERROR },
	{ "mail loop", W_ERROR },
	{ "spam", W_ERROR },
	{ "virus", W_ERROR },
	{ "n'existe pas", W_ERROR },
	{ "inconnu", W_ERROR },
	{ "non recensé", W_ERROR },
	{ "unbekannt", W_ERROR },
	{ "existiert nicht", W_ERROR },
	{ "no existe", W_ERROR },
	{ "desconocido", W_ERROR },
	{ "inexistente", W_ERROR },
	{ "não existe", W_ERROR },
	{ "non esiste", W_ERROR },
	{ "sconosciuto", W_ERROR },
	{ "bestaat niet", W_ERROR },
	{ "onbekend", W_ERROR },
	{ "не существует", W_ERROR },
	{ "不存在", W_ERROR },
	{ "存在しません", W_ERROR },
	{ "存在しない", W_ERROR },
	{ "ありません", W_ERROR },
	{ "宛先不明", W_ERROR | W_SUBJECT },
	{ "失败", W_ERROR },
	{ "失敗", W_ERROR },
	{ "错误", W_ERROR },
	{ "エラー", W_ERROR },


	/* where the returned message starts */
	{ "original message follows", W_RETURNED },
	{ "original message", W_RETURNED },
	{ "returned message", W_RETURNED },
	{ "copy of the message", W_RETURNED },
	{ "copy of your message", W_RETURNED },
	{ "copy of the original", W_RETURNED },
	{ "message headers follow", W_RETURNED },
	{ "headers of the original", W_RETURNED },
	{ "header of the source", W_RETURNED },
	{ "headers of the source", W_RETURNED },
	{ "source mail", W_RETURNED },
	{ "message as received", W_RETURNED },
	{ "message reads", W_RETURNED },
	{ "header of the original", W_RETURNED },
	{ "below this line", W_RETURNED },
	{ "undelivered message", W_RETURNED },
	{ "unsent message", W_RETURNED },
	{ "message text follows", W_RETURNED },
	{ "ursprüngliche nachricht", W_RETURNED },
	{ "message d'origine", W_RETURNED },
	{ "mensaje original", W_RETURNED },
	{ "mensagem original", W_RETURNED },
	{ "messaggio originale", W_RETURNED },
	{ "oorspronkelijk bericht", W_RETURNED },
	{ "原始邮件", W_RETURNED },
	{ "原始郵件", W_RETURNED },
	{ "元のメッセージ", W_RETURNED },


	/* still trying, or given up */
	{ "will retry", W_DELAY },
	{ "non-fatal", W_DELAY | W_TRANSIENT },
	{ "nonfatal", W_DELAY | W_TRANSIENT },
	{ "will be retried", W_DELAY },
	{ "will continue", W_DELAY },
	{ "will keep trying", W_DELAY },
	{ "will try again", W_DELAY },
	{ "still trying", W_DELAY },
	{ "still being retried", W_DELAY },
	{ "not yet been delivered", W_DELAY },
	{ "has been delayed", W_DELAY },
	{ "delivery delayed", W_DELAY | W_SUBJECT },
	{ "delayed mail", W_DELAY | W_SUBJECT },
	{ "delivery delay", W_DELAY | W_SUBJECT },
	{ "warning message only", W_DELAY },
	{ "still undelivered", W_DELAY },
	{ "was delayed", W_DELAY },
	{ "postponed", W_DELAY },
	{ "(delay)", W_DELAY | W_SUBJECT },
	{ "delayed:", W_DELAY | W_SUBJECT },
	{ "retry until", W_DELAY },
	{ "not been delivered yet", W_DELAY },
	{ "zugestellt werden verz", W_DELAY },
	{ "verzögert", W_DELAY | W_SUBJECT },
	{ "retard", W_DELAY | W_SUBJECT },
	{ "do not need to resend", W_DELAY },
	/* the same in other languages: will try again, not yet delivered, delayed */
	{ "weiterhin versucht", W_DELAY },
	{ "wird erneut versucht", W_DELAY },
	{ "bisher nicht zugestellt", W_DELAY },
	{ "noch nicht zugestellt", W_DELAY },
	{ "nouvelles tentatives", W_DELAY },
	{ "nouvelle tentative", W_DELAY },
	{ "pas encore pu être", W_DELAY },
	{ "pas encore été", W_DELAY },
	{ "différé", W_DELAY | W_SUBJECT },
	{ "seguirá intentando", W_DELAY },
	{ "volverá a intentar", W_DELAY },
	{ "todavía no ha podido", W_DELAY },
	{ "aún no ha podido", W_DELAY },
	{ "retrasad", W_DELAY | W_SUBJECT },
	{ "continuerà a riprovare", W_DELAY },
	{ "riproverà", W_DELAY },
	{ "non è ancora stato", W_DELAY },
	{ "ritardat", W_DELAY | W_SUBJECT },
	{ "continuará tentando", W_DELAY },
	{ "tentará novamente", W_DELAY },
	{ "ainda não foi entregue", W_DELAY },
	{ "atrasad", W_DELAY | W_SUBJECT },
	{ "opnieuw proberen", W_DELAY },
	{ "wordt opnieuw geprobeerd", W_DELAY },
	{ "nog niet afgeleverd", W_DELAY },
	{ "nog niet bezorgd", W_DELAY },
	{ "vertraagd", W_DELAY | W_SUBJECT },
	{ "ponowi próbę", W_DELAY },
	{ "jeszcze nie został", W_DELAY },
	{ "opóźnion", W_DELAY | W_SUBJECT },
	{ "продолжит попытки", W_DELAY },
	{ "повторит попытку", W_DELAY },
	{ "пока не доставлен", W_DELAY },
	{ "задержк", W_DELAY | W_SUBJECT },
	{ "再送を試み", W_DELAY },
	{ "再試行します", W_DELAY },
	{ "まだ配信されていません", W_DELAY },
	{ "遅延", W_DELAY | W_SUBJECT },
	{ "继续尝试", W_DELAY },
	{ "繼續嘗試", W_DELAY },
	{ "暂时未能", W_DELAY },
	{ "暫時未能", W_DELAY },
	{ "延迟", W_DELAY | W_SUBJECT },
	{ "延遲", W_DELAY | W_SUBJECT },
	{ "재시도합니다", W_DELAY },
	{ "지연", W_DELAY | W_SUBJECT },
	{ "no action is required", W_DELAY },
	{ "gave up", W_FINAL },
	{ "giving up", W_FINAL },
	{ "will not be retried", W_FINAL },
	{ "no further attempts", W_FINAL },
	{ "will not try again", W_FINAL },
	{ "message deleted", W_FINAL },
	{ "will be deleted", W_FINAL },
	{ "deleted from queue", W_FINAL },
	{ "removed from the queue", W_FINAL },
	{ "removed from the mail queue", W_FINAL },
	/* given up, in other languages */
	{ "aufgegeben", W_FINAL },
	{ "endgültig", W_FINAL },
	{ "définitivement", W_FINAL },
	{ "abandonné", W_FINAL },
	{ "definitivamente", W_FINAL },
	{ "definitief", W_FINAL },
	{ "окончательн", W_FINAL },
	{ "постоянная ошибка", W_FINAL },
	{ "ostatecznie", W_FINAL },
	{ "trwały błąd", W_FINAL },
	{ "恒久的", W_FINAL },
	{ "永久性", W_FINAL },
	{ "영구", W_FINAL },


	/* subjects of auto-replies: not failures unless a mail system sent them */
	{ "out of office", W_AUTOREPLY },
	{ "out of the office", W_AUTOREPLY },
	{ "automatic reply", W_AUTOREPLY },
	{ "auto reply", W_AUTOREPLY },
	{ "autoreply", W_AUTOREPLY },
	{ "auto-reply", W_AUTOREPLY },
	{ "vacation", W_AUTOREPLY },
	{ "abwesenheit", W_AUTOREPLY },
	{ "automatische antwort", W_AUTOREPLY },
	{ "réponse automatique", W_AUTOREPLY },
	{ "absence", W_AUTOREPLY },
	{ "respuesta automática", W_AUTOREPLY },
	{ "resposta automática", W_AUTOREPLY },
	{ "risposta automatica", W_AUTOREPLY },
	{ "automatisch antwoord", W_AUTOREPLY },
	{ "afwezig", W_AUTOREPLY },
	{ "自动回复", W_AUTOREPLY },
	{ "自動回覆", W_AUTOREPLY },
	{ "自動応答", W_AUTOREPLY },
	{ "不在", W_AUTOREPLY },

	/* delivery succeeded: a success notice is not a failure report */
	{ "successfully delivered", W_SUCCESS },
	{ "delivered successfully", W_SUCCESS },
	{ "delivery was successful", W_SUCCESS },
	{ "delivery succeeded", W_SUCCESS },
	{ "has been delivered to", W_SUCCESS },
	{ "was delivered to", W_SUCCESS },
	{ "successfully relayed", W_SUCCESS },
	{ "erfolgreich zugestellt", W_SUCCESS },
	{ "remis avec succès", W_SUCCESS },
	{ "entregado correctamente", W_SUCCESS },

	/* subjects that report success */
	{ "(success)", W_NOTFAIL },
	{ "successful", W_NOTFAIL },
	{ "delivered:", W_NOTFAIL },
	{ "relayed", W_NOTFAIL },
	{ "read:", W_NOTFAIL },
	{ NULL, 0 }
};

static struct ac *vocabulary;
static pthread_once_t vocabulary_once = PTHREAD_ONCE_INIT;

/* Built once per process and kept, like the table it is made from. */
static void
vocabulary_build(void)
{
	size_t i;

	vocabulary = ac_new();
	for (i = 0; words[i].text != NULL; i++)
		ac_add(vocabulary, words[i].text, (int)i);
	ac_compile(vocabulary);
}

static void
kinds_found(int id, void *arg)
{
	unsigned *kinds = arg;

	*kinds |= words[id].kinds;
}


/*
 * The vocabulary is matched in text lower-cased beyond ASCII ("Недоставленное",
 * "Ł"), as the rules match theirs.
 */
static unsigned
kinds_of(const char *s, size_t n)
{
	unsigned kinds = 0;
	char *low = xmalloc(n + 1);

	text_lower(s, n, low);
	ac_scan_set(vocabulary, low, n, 0, kinds_found, &kinds);
	free(low);
	return kinds;
}

/* Bounds: the bounce's own text comes first; the returned copy is not read. */
#define GENERIC_MAX_TEXT	(64 * 1024)
#define GENERIC_MAX_LINES	1500
#define GENERIC_MAX_CANDIDATES	PLAIN_MAX_BLOCKS
#define GENERIC_MAX_OWN		64
#define GENERIC_MAX_DIAG	2048
#define PARAGRAPH_LINES		12	/* lines of error text read after an address */

struct gline {
	const char	*s;
	size_t		 n;
	unsigned	 kinds;
	int		 code;		/* a 4xx/5xx reply or 4.x.x/5.x.x status */
};

struct candidate {
	char		*address;
	const char	*diag;		/* into the text; NULL when none */
	size_t		 diag_len;
	int		 weak;		/* found only beside words of an error, no code */
	size_t		 below;		/* alone under a heading: the line after it */
	int		 program;	/* its delivery was to a program or file */
};

struct reading {
	struct gline	*lines;
	size_t		 nlines;
	struct candidate *cands;
	size_t		 ncands;
	char		*own[GENERIC_MAX_OWN];	/* the list's and the reporter's */
	size_t		 nown;
	char		*sent_to[GENERIC_MAX_OWN];	/* the returned To, Cc */
	size_t		 nsent_to;
	char		*via[GENERIC_MAX_OWN];	/* its Received: ... for <address> */
	size_t		 nvia;
	int		 cut;		/* the returned message starts at lines[cut] */
	int		 full;		/* past GENERIC_MAX_CANDIDATES */
};

/* A reply code ("550 ", "<<< 421-") or an enhanced status of class 4 or 5 in s. */
static int
has_error_code(const char *s, size_t n)
{
	const char *end = s + n, *p;
	char status[16];

	for (p = s; p + 3 <= end; p++) {
		if ((*p != '4' && *p != '5') || p[1] < '0' || p[1] > '5' ||
		    p[2] < '0' || p[2] > '9')
			continue;
		if (p > s && strchr(" \t<([#:\"'=", p[-1]) == NULL)
			continue;
		if (p + 3 < end && strchr(" \t\r\n-,;:)]", p[3]) == NULL)
			continue;
		return 1;
	}
	return text_status(s, n, status) && (status[0] == '4' || status[0] == '5');
}

/* Each comma-separated address of a field's value, onto list. */
static void
add_addresses(char **list, size_t *n, const char *value)
{
	const char *p = value, *end = value + strlen(value), *comma;
	char *a;

	while (p < end && *n < GENERIC_MAX_OWN) {
		comma = memchr(p, ',', (size_t)(end - p));
		if (comma == NULL)
			comma = end;
		if ((a = address_find(p, (size_t)(comma - p))) != NULL)
			list[(*n)++] = a;
		p = comma + 1;
	}
}

/* The addresses of the fields names[0..count) of a header block, onto list. */
static void
header_addresses(char **list, size_t *n, const char *h, size_t hl,
    const char *const names[], size_t count)
{
	char *values[8];
	size_t i;

	header_get_each(h, hl, names, values, count);
	for (i = 0; i < count; i++) {
		if (values[i] != NULL)
			add_addresses(list, n, values[i]);
		free(values[i]);
	}
}

/* Received: ... for <address>; of the returned message: where it was going. */
static void
received_for(struct reading *g, const char *h, size_t hl)
{
	const char *p = h, *end = h + hl, *f;

	while (g->nvia < GENERIC_MAX_OWN &&
	    (f = text_find(p, (size_t)(end - p), " for <")) != NULL) {
		const char *gt = memchr(f, '>', (size_t)(end - f));
		char *a;

		if (gt == NULL)
			break;
		if ((a = address_find(f + 5, (size_t)(gt + 1 - (f + 5)))) != NULL)
			g->via[g->nvia++] = a;
		p = gt;
	}
}

/* The returned message's header block: a MIME part, or text after the cut. */
static void
returned_headers(const struct mail *m, const struct reading *g, const char **h,
    size_t *hl)
{
	size_t i;

	*h = NULL;
	*hl = 0;
	for (i = 0; i < m->nparts; i++) {
		if (strcmp(m->parts[i].type, "text/rfc822-headers") == 0 &&
		    m->parts[i].text != NULL) {
			*h = m->parts[i].text;
			*hl = m->parts[i].text_len;
			return;
		}
		if (m->parts[i].in_original && m->parts[i].headers_len > 0) {
			*h = m->parts[i].headers;
			*hl = m->parts[i].headers_len;
			return;
		}
	}
	if (g->cut >= 0 && (size_t)g->cut + 1 < g->nlines) {
		const struct gline *first = &g->lines[g->cut + 1];
		const struct gline *last = &g->lines[g->nlines - 1];

		*h = first->s;
		*hl = (size_t)(last->s + last->n - first->s);
	}
}

static void
collect_own(const struct mail *m, struct reading *g)
{
	static const char *const mine[] = { "From", "To", "Cc", "Return-Path",
	    "Reply-To", "Sender" };
	static const char *const theirs[] = { "From", "Sender", "Reply-To",
	    "Return-Path" };
	static const char *const sent[] = { "To", "Cc" };
	const char *h;
	size_t hl;

	header_addresses(g->own, &g->nown, m->headers, m->headers_len, mine, 6);
	returned_headers(m, g, &h, &hl);
	if (h == NULL)
		return;
	header_addresses(g->own, &g->nown, h, hl, theirs, 4);
	header_addresses(g->sent_to, &g->nsent_to, h, hl, sent, 2);
	received_for(g, h, hl);
}

static int
in_list(char *const *list, size_t n, const char *a)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(list[i], a) == 0)
			return 1;
	return 0;
}

/* Was the returned message on its way to a? */
static int
sent_to(const struct reading *g, const char *a)
{
	return in_list(g->sent_to, g->nsent_to, a) || in_list(g->via, g->nvia, a);
}

/* A candidate's weight: beside an error, beside words only, named by the reporter. */
enum { STRONG = 0, WEAK = 1, NAMED = 2 };

/*
 * Never a failed recipient: the reporting system, and the list's own addresses
 * unless the returned message itself was on its way to them and the report says
 * so plainly (a member who wrote to the list and bounced from it too), or the
 * reporter names them in X-Failed-Recipients.
 */
static int
own_address(const struct reading *g, const char *a, int weak)
{
	static const char *const locals[] = { "postmaster@", "mailer-daemon@",
	    "mailer_daemon@", "mailerdaemon@", "mail-daemon@", NULL };
	size_t i;

	for (i = 0; locals[i] != NULL; i++)
		if (strncmp(a, locals[i], strlen(locals[i])) == 0)
			return 1;
	if (weak == NAMED)
		return 0;
	return in_list(g->own, g->nown, a) && (weak || !sent_to(g, a));
}

/* Does the (trimmed) line start a header field of the returned message or ours? */
static int
header_like(const char *s, size_t n)
{
	static const char *const names[] = { "from:", "to:", "cc:", "bcc:", "subject:",
	    "date:", "message-id:", "reply-to:", "return-path:", "sender:", "received:",
	    "references:", "in-reply-to:", "x-", "list-", "dkim-", "arc-",
	    "authentication-results:", "content-", "mime-version:", "reporting-mta:",
	    "original-envelope-id:", "envelope-to:", "delivered-to:", NULL };
	size_t i;

	for (i = 0; names[i] != NULL; i++)
		if (text_starts(s, n, names[i]))
			return 1;
	return 0;
}

/* Add or update the candidate a (taken over); returns it, or NULL when refused. */
static struct candidate *
candidate_add(struct reading *g, char *a, const char *diag, size_t diag_len, int weak)
{
	size_t i;

	if (a == NULL)
		return NULL;
	if (strlen(a) > CLASSIFIER_MAX_ADDRESS || own_address(g, a, weak)) {
		free(a);
		return NULL;
	}
	for (i = 0; i < g->ncands; i++) {
		if (strcmp(g->cands[i].address, a) == 0) {
			if (weak != WEAK)
				g->cands[i].weak = 0;
			if (diag != NULL && (g->cands[i].diag == NULL ||
			    (!has_error_code(g->cands[i].diag, g->cands[i].diag_len) &&
			    has_error_code(diag, diag_len)))) {
				g->cands[i].diag = diag;
				g->cands[i].diag_len = diag_len;
			}
			free(a);
			return &g->cands[i];
		}
	}
	if (g->ncands >= GENERIC_MAX_CANDIDATES) {
		g->full = 1;
		free(a);
		return NULL;
	}
	g->cands[g->ncands].address = a;
	g->cands[g->ncands].diag = diag;
	g->cands[g->ncands].diag_len = diag_len;
	g->cands[g->ncands].weak = weak == WEAK;
	return &g->cands[g->ncands++];
}

static int
blank(const struct gline *l)
{
	return plain_blank(l->s, l->s + l->n);
}


static void
span(const struct reading *g, size_t from, size_t to, const char **s, size_t *n)
{
	if (from >= to) {
		*s = NULL;
		*n = 0;
		return;
	}
	*s = g->lines[from].s;
	*n = (size_t)(g->lines[to - 1].s + g->lines[to - 1].n - *s);
	if (*n > GENERIC_MAX_DIAG)
		*n = GENERIC_MAX_DIAG;
}

/* Does the span hold an error: a code, or words of one? */
static int
span_error(const struct reading *g, size_t from, size_t to)
{
	size_t i;

	for (i = from; i < to; i++)
		if (g->lines[i].code ||
		    (g->lines[i].kinds & (W_ERROR | W_INTRO | W_DELAY)))
			return 1;
	return 0;
}

/*
 * An address that opens the (trimmed) line: "<a@b>", "a@b", "<a@b>:", "a@b:",
 * "a@b (reason)", "rfc822;a@b". Returns the address and sets *rest to the text after
 * it, or NULL when the line does not start with an address.
 */
static char *
leading_address(const char *s, size_t n, const char **rest)
{
	const char *end = s + n, *p = s, *q, *at;

	/* Sendmail marks the failed addresses ">>> "; others use a bullet. */
	while (p < end && (*p == '>' || *p == '*' || *p == '-') && p - s < 4)
		p++;
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	if (text_starts(p, (size_t)(end - p), "rfc822;"))
		for (p += 7; p < end && *p == ' '; p++)
			;
	if (p < end && (*p == '"' || *p == '\''))
		p++;
	if (p < end && *p == '<') {
		if ((q = memchr(p, '>', (size_t)(end - p))) == NULL)
			return NULL;
		q++;
	} else {
		for (q = p; q < end && *q != ' ' && *q != '\t' && *q != ',' &&
		    *q != ';'; q++)
			;
		while (q > p && (q[-1] == ':' || q[-1] == '.' || q[-1] == '"' ||
		    q[-1] == '\''))
			q--;
		/*
		 * A line of CJK text has no spaces: "...場合は、<a@b>" is one token
		 * that does not start with the address ("a@b<br>" does).
		 */
		if ((at = memchr(p, '@', (size_t)(q - p))) != NULL &&
		    memchr(p, '<', (size_t)(at - p)) != NULL)
			return NULL;
	}
	if (q == p || memchr(p, '@', (size_t)(q - p)) == NULL)
		return NULL;
	while (q < end && (*q == ':' || *q == ' ' || *q == '\t' || *q == '"' ||
	    *q == '\'' || *q == ','))
		q++;
	*rest = q;
	return address_find(p, (size_t)(q - p));
}

/*
 * "Recipient address: a@b", "Failed recipient: <a@b>", "Destinataire : a@b": a
 * short label that names a recipient, then the address. Returns the address and
 * sets *rest to the text after it, or NULL.
 */
static char *
labelled_address(const char *s, size_t n, const char **rest)
{
	static const char *const labels[] = { "recipient", "address", "receiver",
	    "addressee", "destinat", "empfänger", "adresse", "indirizzo",
	    "geadresseerde", "ontvanger", "user", "mailbox", "failed", "invalid",
	    "unknown", "получател", "收件人", "宛先", NULL };
	const char *colon = memchr(s, ':', n < 48 ? n : 48), *at;
	size_t i;

	/* RCPT TO has its own reading: the reply after it says whether it failed. */
	if (colon == NULL || memchr(s, '@', (size_t)(colon - s)) != NULL ||
	    text_find(s, (size_t)(colon - s), "rcpt to") != NULL ||
	    text_find(s, (size_t)(colon - s), "from") != NULL ||
	    text_find(s, (size_t)(colon - s), "sender") != NULL)
		return NULL;
	for (i = 0; labels[i] != NULL; i++)
		if (text_find(s, (size_t)(colon - s), labels[i]) != NULL)
			break;
	if (labels[i] == NULL)
		return NULL;
	at = plain_skip_blanks(colon + 1, s + n);
	return leading_address(at, (size_t)(s + n - at), rest);
}

/*
 * Is the label before the address itself the error ("User's mailbox is full:
 * <kim@example.com>", "Unknown user: kim@example.com")? Not a heading's words
 * ("Failed recipient:", "Invalid recipient:"), which only point at the address.
 */
static int
error_label(const char *s, size_t n)
{
	const char *colon = memchr(s, ':', n);
	unsigned k;

	if (colon == NULL)
		return 0;
	k = kinds_of(s, (size_t)(colon - s));
	return (k & W_ERROR) && !(k & W_HEADING);
}

/*
 * The end of the paragraph of lines[from - 1]: a blank line or another address
 * line. An address line indented deeper than the first is a wrapped continuation
 * ("<kim@example.jp>: host mx.example.jp said: 550" / "    <kim@example.jp>: User
 * unknown"), not a new item.
 */
static size_t
paragraph_to(const struct reading *g, size_t from, size_t limit)
{
	size_t i, base = from > 0 ? plain_indent(g->lines[from - 1].s,
	    g->lines[from - 1].s + g->lines[from - 1].n) : 0;
	const char *rest;
	char *a;

	for (i = from; i < limit && i < from + PARAGRAPH_LINES; i++) {
		const char *t = plain_skip_blanks(g->lines[i].s, g->lines[i].s +
		    g->lines[i].n);

		if (blank(&g->lines[i]))
			break;
		if (plain_indent(g->lines[i].s, g->lines[i].s + g->lines[i].n) > base)
			continue;
		if ((a = leading_address(t, (size_t)(g->lines[i].s + g->lines[i].n - t),
		    &rest)) != NULL) {
			free(a);
			break;
		}
	}
	return i;
}

/*
 * The paragraph just above the address at lines[at], across at most two blank
 * lines, when it says why and is neither the heading nor another address's item
 * ("The user's account is disabled." / "" / "kim@example.com"): 1 with *d and
 * *dn set to it, else 0.
 */
static int
error_above(const struct reading *g, size_t at, const char **d, size_t *dn)
{
	size_t before, from, i;

	for (before = at; before > 0 && at - before < 3 && blank(&g->lines[before - 1]);
	    before--)
		;
	if (before == 0 || before == at)
		return 0;
	for (from = before - 1; from > 0 && before - from < 4 &&
	    !blank(&g->lines[from - 1]); from--)
		;
	for (i = from; i < before; i++)
		if (memchr(g->lines[i].s, '@', g->lines[i].n) != NULL ||
		    (g->lines[i].kinds & (W_INTRO | W_HEADING)))
			return 0;
	if (!span_error(g, from, before))
		return 0;
	span(g, from, before, d, dn);
	return 1;
}

/*
 * An address alone in its paragraph, between "Delivery to this address" and "has
 * failed: mailbox full", or under "The account is disabled.": the paragraph before
 * it or after it says what happened.
 * Returns 1 with the error text (the paragraph after, when it has one).
 */
static int
neighbour_error(const struct reading *g, size_t at, size_t to, size_t limit,
    const char **d, size_t *dn)
{
	size_t from, end, before;
	int paragraphs;

	/* The next two paragraphs: Domino puts "because:" between. */
	for (paragraphs = 0, end = to; paragraphs < 2; paragraphs++) {
		for (from = end; from < limit && from < end + 3 &&
		    blank(&g->lines[from]); from++)
			;
		for (end = from; end < limit && end < from + PARAGRAPH_LINES &&
		    !blank(&g->lines[end]); end++)
			;
		if (end > from && span_error(g, from, end)) {
			span(g, from, end, d, dn);
			return 1;
		}
	}
	for (before = at; before > 0 && at - before < 3 && blank(&g->lines[before - 1]);
	    before--)
		;
	if (before == 0 || before == at)
		return 0;
	if (g->lines[before - 1].kinds & (W_INTRO | W_HEADING)) {
		*d = NULL;
		*dn = 0;
		return 1;
	}
	return error_above(g, at, d, dn);
}

/*
 * An address alone under a heading: the error in one of the next two paragraphs,
 * past other addresses alone on their lines, unless an address with text of its
 * own comes first ("kim@example.com" / "" / "Technical details of permanent
 * failure:" / "the message could not be delivered within 48 hours"). *d and *dn
 * are left alone when there is none.
 */
static void
error_below(const struct reading *g, size_t to, size_t limit, const char **d,
    size_t *dn)
{
	size_t from, end, bare = 0;
	int paragraphs;

	for (paragraphs = 0, end = to; paragraphs < 2; paragraphs++) {
		const struct gline *l;
		const char *t, *rest;
		char *a;

		for (from = end; from < limit && from < end + 3 &&
		    blank(&g->lines[from]); from++)
			;
		if (from >= limit || blank(&g->lines[from]))
			return;
		l = &g->lines[from];
		t = plain_skip_blanks(l->s, l->s + l->n);
		/* Other addresses of the list, alone too: the error may follow them. */
		if ((a = leading_address(t, (size_t)(l->s + l->n - t), &rest)) != NULL) {
			free(a);
			if (!plain_blank(rest, l->s + l->n) || ++bare > 20)
				return;
			end = from + 1;
			paragraphs--;
			continue;
		}
		for (end = from; end < limit && end < from + PARAGRAPH_LINES &&
		    !blank(&g->lines[end]); end++)
			;
		if (span_error(g, from, end)) {
			span(g, from, end, d, dn);
			return;
		}
	}
}

/*
 * The lines just above lines[at] in its paragraph that are neither a heading nor
 * an address line: the reason, in reports that give it before the address.
 */
static void
reason_before(const struct reading *g, size_t at, const char **d, size_t *dn)
{
	size_t from = at;
	const char *rest;
	char *a;

	while (from > 0 && at - from < 3 && !blank(&g->lines[from - 1]) &&
	    !(g->lines[from - 1].kinds & (W_HEADING | W_INTRO))) {
		const struct gline *l = &g->lines[from - 1];
		const char *t = plain_skip_blanks(l->s, l->s + l->n);

		if ((a = leading_address(t, (size_t)(l->s + l->n - t), &rest)) != NULL) {
			free(a);
			break;
		}
		from--;
	}
	if (from < at && span_error(g, from, at))
		span(g, from, at, d, dn);
}

/*
 * "(generated from a@b)", "(Originally addressed to a@b)": the address the sender
 * wrote, under a failed one that a forward or an alias made ("an undisclosed
 * address", "local user jdoe"). Returns where the address starts, or NULL.
 */
static const char *
original_annotation(const char *t, size_t tn)
{
	static const char *const notes[] = { "(generated from", "(originally addressed to",
	    "(originally to", "(original recipient", "(expanded from", "generated by",
	    NULL };
	const char *p;
	size_t i;

	for (i = 0; notes[i] != NULL; i++)
		if (text_starts(t, tn, notes[i])) {
			for (p = t + strlen(notes[i]); p < t + tn && (*p == ' ' ||
			    *p == '\t' || *p == ':'); p++)
				;
			return p;
		}
	return NULL;
}

/*
 * Is the line a delivery to a program or a file, not to an address ("pipe to
 * |/usr/bin/filter kim@example.com", "save to /var/mail/kim", "\"|/usr/bin/procmail\"")?
 * The annotation under it names the address; its own words say what failed.
 */
static int
program_line(const struct gline *l)
{
	const char *t = plain_skip_blanks(l->s, l->s + l->n);
	size_t tn = (size_t)(l->s + l->n - t);

	if (tn > 0 && *t == '"') {
		t++;
		tn--;
	}
	return text_starts(t, tn, "pipe to ") || text_starts(t, tn, "save to ") ||
	    text_starts(t, tn, "|") || text_starts(t, tn, "/");
}

/*
 * Does lines[i] start an item of a list: after a blank line, the heading, or
 * another address? Not an address that a wrapped sentence put at a line's start
 * ("... e.g., if" / "kim@example.edu fails, try ...").
 */
static int
starts_item(const struct reading *g, size_t i)
{
	const struct gline *l;
	const char *t, *rest;
	char *a;

	if (i == 0 || blank(&g->lines[i - 1]))
		return 1;
	/* After the heading, or the reason it gives first ("Failure Reasons"). */
	l = &g->lines[i - 1];
	if (l->code || (l->kinds & (W_HEADING | W_INTRO | W_ERROR)))
		return 1;
	t = plain_skip_blanks(l->s, l->s + l->n);
	if ((a = leading_address(t, (size_t)(l->s + l->n - t), &rest)) != NULL ||
	    (a = labelled_address(t, (size_t)(l->s + l->n - t), &rest)) != NULL) {
		free(a);
		return 1;
	}
	/* The line before ends a sentence or a field: this one begins anew. */
	return l->n > 0 && strchr(".:;)>", l->s[l->n - 1]) != NULL;
}

/*
 * "<address>: error text" and "address:" paragraphs, and addresses listed under a
 * failure heading, each with the text that follows it.
 */
static void
read_address_lines(struct reading *g, size_t limit)
{
	size_t i, to, heading_until = 0;
	struct candidate *c;
	int labelled, program;

	for (i = 0; i < limit; i++) {
		const struct gline *l = &g->lines[i];
		const char *t = plain_skip_blanks(l->s, l->s + l->n), *rest, *d, *o;
		size_t tn = (size_t)(l->s + l->n - t), dn;
		char *a;

		if (l->kinds & W_HEADING)
			heading_until = i + 40;
		/*
		 * An annotation names the address only where the line above has none,
		 * or delivered to a program or a file.
		 */
		program = 0;
		if ((o = original_annotation(t, tn)) != NULL) {
			program = i > 0 && program_line(&g->lines[i - 1]);
			if (i > 0 && !blank(&g->lines[i - 1]) && !program &&
			    memchr(g->lines[i - 1].s, '@', g->lines[i - 1].n) != NULL)
				continue;
			tn -= (size_t)(o - t);
			t = o;
		}
		labelled = 0;
		if (header_like(t, tn) || ((a = leading_address(t, tn, &rest)) == NULL &&
		    (labelled = 1, a = labelled_address(t, tn, &rest)) == NULL))
			continue;
		to = paragraph_to(g, i + 1, limit);
		/* The error: the rest of the line and the lines after it. */
		if (labelled && error_label(t, tn)) {
			d = t;
			dn = (size_t)(l->s + l->n - t);
			if (to > i + 1)
				dn = (size_t)(g->lines[to - 1].s +
				    g->lines[to - 1].n - d);
		} else if (rest < l->s + l->n) {
			d = rest;
			dn = (size_t)(l->s + l->n - rest);
			if (to > i + 1)
				dn = (size_t)(g->lines[to - 1].s +
				    g->lines[to - 1].n - d);
		} else
			span(g, i + 1, to, &d, &dn);
		/* "pipe to |/usr/bin/filter" / "generated by kim@example.com": both. */
		if (program) {
			const char *from = g->lines[i - 1].s;

			dn = dn > 0 ? (size_t)(d + dn - from) : (size_t)(l->s + l->n - from);
			d = from;
		}
		if (dn > GENERIC_MAX_DIAG)
			dn = GENERIC_MAX_DIAG;
		/* Or the reason came first: "Failure Reasons / <reason> / address". */
		if (dn == 0)
			reason_before(g, i, &d, &dn);
		if ((i < heading_until && (o != NULL || starts_item(g, i))) ||
		    span_error(g, i, to > i + 1 ? to : i + 1)) {
			/* "The account is disabled." / "" / "kim@example.com" */
			if (dn == 0)
				error_above(g, i, &d, &dn);
			c = candidate_add(g, a, dn > 0 ? d : NULL, dn, 0);
			/* "kim@example.com" / "" / "Technical details: ..." */
			if (c != NULL && dn == 0 && c->below == 0)
				c->below = to;
			if (c != NULL && program)
				c->program = 1;
		}
		else if (dn == 0 && neighbour_error(g, i, to, limit, &d, &dn))
			candidate_add(g, a, d, dn, 0);
		else
			free(a);
	}
}

/* "RCPT TO:<address>" followed, within a few lines, by an error reply. */
static void
read_rcpt_to(struct reading *g, size_t limit)
{
	size_t i, k;

	for (i = 0; i < limit; i++) {
		const struct gline *l = &g->lines[i];
		const char *p = text_find(l->s, l->n, "rcpt to:");
		char *a;

		if (p == NULL)
			continue;
		p += 8;
		/* The reply may come after other commands were pipelined (DATA). */
		for (k = i; k < limit && k < i + 7; k++) {
			if (k > i && text_find(g->lines[k].s, g->lines[k].n,
			    "rcpt to:") != NULL)
				break;
			const char *s = k == i ? p : g->lines[k].s;
			size_t n = k == i ? (size_t)(l->s + l->n - p) : g->lines[k].n;
			const char *gt = k == i ? memchr(p, '>', n) : NULL;

			if (gt != NULL) {
				s = gt + 1;
				n = (size_t)(l->s + l->n - s);
			}
			if (k == i && gt == NULL)
				continue;
			if (has_error_code(s, n)) {
				size_t to = paragraph_to(g, k + 1, limit);
				const char *e = g->lines[to - 1].s + g->lines[to - 1].n;
				size_t dn = (size_t)(e - s);

				a = address_find(p, (size_t)(l->s + l->n - p));
				candidate_add(g, a, s, dn > GENERIC_MAX_DIAG ?
				    GENERIC_MAX_DIAG : dn, 0);
				break;
			}
		}
	}
}

static int
span_code(const struct reading *g, size_t from, size_t to)
{
	size_t i;

	for (i = from; i < to; i++)
		if (g->lines[i].code)
			return 1;
	return 0;
}

/*
 * The paragraph that starts within two blank lines of lines[from], when it holds a
 * reply or status code: *d and *dn are set to it. Otherwise they are left alone.
 */
static void
coded_after(const struct reading *g, size_t from, size_t limit, const char **d,
    size_t *dn)
{
	size_t start, end;

	for (start = from; start < limit && start < from + 3 && blank(&g->lines[start]);
	    start++)
		;
	for (end = start; end < limit && end < start + PARAGRAPH_LINES &&
	    !blank(&g->lines[end]); end++)
		;
	if (end > start && span_code(g, start, end))
		span(g, start, end, d, dn);
}

/*
 * Is the address a's first mention in [t, t + tn) not a failed recipient: the
 * sender's, preceded by "from" or "sender" ("not accepting mail from a@b", "Sender
 * <a@b> refused") or followed by the sender's refusal ("<a@b>: Sender address
 * rejected"), or the new address of one who moved ("please try <a@b>", "moved to")?
 */
static int
after_from(const char *t, size_t tn, const char *a)
{
	static const char *const before[] = { "from", "sender", "try", "moved to",
	    "forwarded to", "new address", "now at", NULL };
	const char *p = text_find(t, tn, a), *q, *end = t + tn;
	size_t i, n;
	char c;

	if (p == NULL)
		return 0;
	for (q = p + strlen(a); q < end && (*q == '>' || *q == ':' || *q == ' ' ||
	    *q == '"' || *q == '\''); q++)
		;
	if (text_starts(q, (size_t)(end - q), "sender"))
		return 1;
	while (p > t && (p[-1] == ' ' || p[-1] == '<' || p[-1] == '"' || p[-1] == '\''))
		p--;
	for (i = 0; before[i] != NULL; i++) {
		n = strlen(before[i]);
		if ((size_t)(p - t) < n || !text_starts(p - n, n, before[i]))
			continue;
		if ((size_t)(p - t) == n)
			return 1;
		c = *(p - n - 1);	/* the word starts there */
		if (c == ' ' || c == '\t' || c == ';' || c == ',')
			return 1;
	}
	return 0;
}

/*
 * Does the line after lines[i] carry on its sentence with an error ("addressed to
 * 'a@b'," / "failed because ...", "Your message to: a@b" / "was not delivered.")?
 */
static int
error_follows(const struct reading *g, size_t i, size_t limit)
{
	const struct gline *n = &g->lines[i + 1];

	return i + 1 < limit && !blank(n) && memchr(n->s, '@', n->n) == NULL &&
	    (n->code || (n->kinds & (W_ERROR | W_DELAY | W_INTRO)));
}

/*
 * Where the explanation of the coded line lines[i] starts: a local mailer's words
 * just above it in its paragraph ("mail.local: unknown user: kim" over "554
 * <kim@example.net>... Service unavailable"), lines with words of an error but no
 * address, no code and no heading of their own. i when there are none.
 */
static size_t
explained_from(const struct reading *g, size_t i)
{
	size_t from = i;

	while (from > 0 && i - from < 3) {
		const struct gline *p = &g->lines[from - 1];

		if (blank(p) || p->code || memchr(p->s, '@', p->n) != NULL ||
		    (p->kinds & (W_HEADING | W_INTRO | W_RETURNED)) ||
		    !(p->kinds & W_ERROR))
			break;
		from--;
	}
	return from;
}

/* A line that names an address and an error, with its continuation lines. */
static void
read_error_lines(struct reading *g, size_t limit)
{
	size_t i, k;

	for (i = 0; i < limit; i++) {
		const struct gline *l = &g->lines[i];
		const char *t = plain_skip_blanks(l->s, l->s + l->n);
		size_t tn = (size_t)(l->s + l->n - t), indent, dn;
		const char *d;
		char *a;

		if (!l->code && !(l->kinds & (W_ERROR | W_INTRO)) &&
		    !error_follows(g, i, limit))
			continue;
		if (memchr(t, '@', tn) == NULL || header_like(t, tn) ||
		    text_find(t, tn, "rcpt to:") != NULL ||
		    text_find(t, tn, "mail from:") != NULL)
			continue;
		/*
		 * Its continuation: lines indented deeper, or without a code of its
		 * own the rest of its paragraph ("As their mailbox is full.").
		 */
		indent = plain_indent(l->s, l->s + l->n);
		for (k = i + 1; k < limit && k < i + 6; k++) {
			const struct gline *c = &g->lines[k];

			if (blank(c) || memchr(c->s, '@', c->n) != NULL ||
			    (l->code && plain_indent(c->s, c->s + c->n) <= indent))
				break;
		}
		span(g, l->code ? explained_from(g, i) : i, k, &d, &dn);
		/*
		 * "Could not be delivered to: <a@b>" points at the address; the server's
		 * reply, when the report has one, is in the paragraph that follows.
		 */
		if (!l->code && !span_code(g, i, k))
			coded_after(g, k, limit, &d, &dn);
		if ((a = address_find(t, tn)) != NULL && after_from(t, tn, a)) {
			free(a);
			continue;
		}
		candidate_add(g, a, d, dn, !l->code);
	}
}

/*
 * The paragraph around the first line in [0, limit) that holds a reply or status
 * code or, failing that, words of an error.
 */
static int
error_paragraph(const struct reading *g, size_t limit, int opening, const char **s,
    size_t *n)
{
	size_t i, from, to;

	for (i = 0; i < limit; i++)
		if (g->lines[i].code)
			break;
	/* Words of an error, but not the opening sentence that says mail failed. */
	for (i = i < limit ? i : 0; i < limit; i++)
		if (g->lines[i].code || ((g->lines[i].kinds & W_ERROR) &&
		    !(g->lines[i].kinds & (W_INTRO | W_HEADING))))
			break;
	/* Else that sentence, where it says why ("... because the mailbox is full"). */
	if (i == limit)
		for (i = 0; i < limit; i++)
			if ((g->lines[i].kinds & W_INTRO) && (text_find(g->lines[i].s,
			    g->lines[i].n, " because ") != NULL || text_find(g->lines[i].s,
			    g->lines[i].n, " due to ") != NULL))
				break;
	/*
	 * Else, where nothing else is known, the opening sentence that says more
	 * than that delivery failed ("the group you tried to contact may not exist,
	 * or you may not have permission"): one with words of an error of its own,
	 * or the first.
	 */
	if (i == limit && opening)
		for (i = 0; i < limit; i++)
			if ((g->lines[i].kinds & W_ERROR) &&
			    (g->lines[i].kinds & (W_INTRO | W_HEADING)))
				break;
	if (i == limit && opening)
		for (i = 0; i < limit; i++)
			if (g->lines[i].kinds & W_INTRO)
				break;
	if (i == limit)
		return 0;
	for (from = i; from > 0 && !blank(&g->lines[from - 1]) && i - from < 4; from--)
		;
	for (to = i + 1; to < limit && !blank(&g->lines[to]) && to - i < 6; to++)
		;
	span(g, from, to, s, n);
	return 1;
}

/* X-Failed-Recipients (Exim and others): the recipients, named by the reporter. */
static void
read_failed_header(const struct mail *m, struct reading *g)
{
	char *v = mail_header(m, "X-Failed-Recipients"), *p, *comma;

	if (v == NULL)
		return;
	for (p = v; p != NULL; p = comma != NULL ? comma + 1 : NULL) {
		comma = strchr(p, ',');
		candidate_add(g, address_find(p, comma != NULL ? (size_t)(comma - p) :
		    strlen(p)), NULL, 0, NAMED);
	}
	free(v);
}

/*
 * "Your message / To: address / Subject: ... / did not reach ..." and "RCPT TO:
 * address" in a summary of the failed message: the address it was going to.
 */
static void
read_summary(struct reading *g, size_t limit)
{
	size_t i;

	for (i = 0; i < limit; i++) {
		const char *t = plain_skip_blanks(g->lines[i].s, g->lines[i].s +
		    g->lines[i].n);
		size_t tn = (size_t)(g->lines[i].s + g->lines[i].n - t);

		if (text_starts(t, tn, "to:") || text_starts(t, tn, "rcpt to:"))
			candidate_add(g, address_find(t, tn), NULL, 0, 0);
	}
}

/* Is s[0..n) one word that can only be a mailbox name? */
static int
bare_name(const char *s, size_t n)
{
	size_t i, letters = 0;

	if (n < 2 || n > 64)
		return 0;
	for (i = 0; i < n; i++) {
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		    (s[i] >= '0' && s[i] <= '9') || s[i] == '.' || s[i] == '_' ||
		    s[i] == '-' || s[i] == '+'))
			return 0;
		letters += (s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z');
	}
	return letters > 0;
}

/*
 * In lines[k] = [t, te): a first word, a gap of two blanks or more, and words of an
 * error: where the error starts, or NULL.
 */
static const char *
name_then_error(const struct reading *g, size_t k, const char *t, const char *te)
{
	const char *p = t;

	if (!g->lines[k].code && !(g->lines[k].kinds & W_ERROR))
		return NULL;
	while (p < te && *p != ' ' && *p != '\t')
		p++;
	if (te - p < 3 || !((p[0] == ' ' && p[1] == ' ') || p[0] == '\t'))
		return NULL;
	return plain_skip_blanks(p, te);
}

/*
 * A provider that lists its own members by name alone under the heading
 * ("recipients could not be delivered ...:" then "jdoe"): those names are
 * mailboxes of the reporting system, the domain of the bounce's From.
 */
static void
read_bare_names(const struct mail *m, struct reading *g, size_t limit)
{
	const char *domain, *why, *d;
	char *from, *a, *p;
	size_t i, k, dn;

	if (m->from == NULL || (from = address_find(m->from, strlen(m->from))) == NULL)
		return;
	domain = strchr(from, '@') + 1;
	for (i = 0; i < limit; i++) {
		const struct gline *h = &g->lines[i];
		const char *e;

		if (!(h->kinds & W_HEADING))
			continue;
		/* The heading may be wrapped: its colon ends its paragraph. */
		while (i + 1 < limit && !blank(&g->lines[i + 1]) && g->lines[i].n > 0 &&
		    g->lines[i].s[g->lines[i].n - 1] != ':' && &g->lines[i] < h + 2)
			i++;
		e = g->lines[i].s + g->lines[i].n;
		while (e > g->lines[i].s && (e[-1] == ' ' || e[-1] == '\t'))
			e--;
		if (e == g->lines[i].s || e[-1] != ':')
			continue;
		for (k = i + 1; k < limit && k < i + 12; k++) {
			const struct gline *l = &g->lines[k];
			const char *te = l->s + l->n, *t = plain_skip_blanks(l->s, te);

			while (te > t && (te[-1] == ' ' || te[-1] == '\t'))
				te--;
			if (t == te) {
				if (k > i + 1 && g->ncands > 0)
					break;
				continue;
			}
			/* "jdoe    No matches to nameserver query": the name, then why. */
			if ((why = name_then_error(g, k, t, te)) != NULL) {
				d = why;
				dn = (size_t)(te - why);
				te = why;
				while (te > t && (te[-1] == ' ' || te[-1] == '\t'))
					te--;
			} else {
				/* The heading says why ("... they are not accepting"). */
				d = h->s;
				dn = (size_t)(e - h->s);
			}
			if (!bare_name(t, (size_t)(te - t)))
				break;
			a = xmalloc((size_t)(te - t) + strlen(domain) + 2);
			memcpy(a, t, (size_t)(te - t));
			a[te - t] = '@';
			strcpy(a + (te - t) + 1, domain);
			for (p = a; *p != '\0'; p++)
				*p = (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
			candidate_add(g, a, d, dn, 0);
		}
		break;
	}
	free(from);
}

/*
 * "Delivery failure notification for kim@example.com", "Failed to deliver to
 * '<kim@example.com>'": a subject that says delivery failed and names the address,
 * when the text names none.
 */
static void
read_subject(const struct mail *m, struct reading *g)
{
	if (m->subject != NULL)
		candidate_add(g, address_find(m->subject, strlen(m->subject)), NULL, 0,
		    STRONG);
}

/*
 * Where the returned message was going (Received: ... for <address>), when that is
 * one address and the message did not come through a list, whose own address it
 * would be.
 */
static void
read_envelope(const struct mail *m, struct reading *g)
{
	const char *h;
	size_t hl, i;

	returned_headers(m, g, &h, &hl);
	if (h == NULL || header_has(h, hl, "List-Id") || header_has(h, hl, "List-Post") ||
	    header_has(h, hl, "List-Unsubscribe"))
		return;
	for (i = 1; i < g->nvia; i++)
		if (strcmp(g->via[i], g->via[0]) != 0)
			return;
	if (g->nvia > 0)
		candidate_add(g, xstrdup(g->via[0]), NULL, 0, 0);
}

struct line_cursor {
	struct reading	*g;
	const char	*text;
	size_t		 line;		/* the line the last match was in */
};

/*
 * Does the phrase at from stand inside an address of the line
 * ("no-such-user@example.com", "<rejected@example.net>")? A word there says nothing
 * about what happened.
 */
static int
in_address(const struct gline *l, const char *from)
{
	static const char stops[] = " \t\r<>()[]\"',;:";
	const char *s = l->s, *end = l->s + l->n, *p;

	if (from < s)
		return 0;
	for (p = from; p > s && from - p < 256 && strchr(stops, p[-1]) == NULL; p--)
		if (p[-1] == '@')
			return 1;
	for (p = from; p < end && p - from < 256 && strchr(stops, *p) == NULL; p++)
		if (*p == '@')
			return 1;
	return 0;
}

/* A phrase ends at text + end: add its kinds to the line it is in. */
static int
phrase_found(int id, size_t end, void *arg)
{
	struct line_cursor *c = arg;
	const char *at = c->text + end - 1;

	/* Matches come in text order, and no phrase spans a line end. */
	while (c->line + 1 < c->g->nlines && c->g->lines[c->line + 1].s <= at)
		c->line++;
	if (!in_address(&c->g->lines[c->line], at + 1 - strlen(words[id].text)))
		c->g->lines[c->line].kinds |= words[id].kinds;
	return 0;
}

/* Split the text into lines, with what each says; find where the copy starts. */
static void
read_lines(struct reading *g, const char *text, size_t len)
{
	const char *p = text, *end = text + (len > GENERIC_MAX_TEXT ?
	    GENERIC_MAX_TEXT : len), *eol;
	struct line_cursor cursor = { g, text, 0 };
	size_t i, n;
	char *low;

	g->cut = -1;
	for (; p < end && g->nlines < GENERIC_MAX_LINES; p = eol + 1) {
		struct gline *l = &g->lines[g->nlines++];

		eol = text_eol(p, end);
		l->s = p;
		l->n = (size_t)(eol - p);
		l->kinds = 0;
		l->code = has_error_code(l->s, l->n);
		if (eol >= end)
			break;
	}
	if (g->nlines == 0)
		return;
	/* One pass of the vocabulary over all the lines read, lower-cased. */
	n = (size_t)(g->lines[g->nlines - 1].s + g->lines[g->nlines - 1].n - text);
	low = xmalloc(n + 1);
	text_lower(text, n, low);
	ac_scan_where(vocabulary, low, n, 0, phrase_found, &cursor);
	free(low);
	/* "transient non-fatal errors" holds "fatal error" and means the opposite. */
	for (i = 0; i < g->nlines; i++)
		if (g->lines[i].kinds & W_TRANSIENT)
			g->lines[i].kinds &= ~W_FINAL;
	/*
	 * A separator line ("----- Original message -----", "--- Below this line is a
	 * copy of the message.", "Original message follows.") starts the returned
	 * copy; a sentence that only mentions the original does not.
	 */
	for (i = 0; i < g->nlines; i++) {
		const struct gline *l = &g->lines[i];
		const char *t = plain_skip_blanks(l->s, l->s + l->n);

		if ((l->kinds & W_RETURNED) && t < l->s + l->n &&
		    (strchr("-=*_#[<", *t) != NULL || text_find(t,
		    (size_t)(l->s + l->n - t), "follow") != NULL)) {
			g->cut = (int)i;
			break;
		}
	}
}

/*
 * Is the mailbox a mail system's own? Its local part names a daemon (MAILER-DAEMON,
 * MDaemon) or the postmaster, or has a word of one among its words: "mailer",
 * "smtp", "mta", "antivirus", "gateway" (Symantec_AntiVirus_for_SMTP_Gateways);
 * not "newsmailer", which may be anyone's newsletter.
 */
static int
system_mailbox(const char *value)
{
	static const char *const inside[] = { "daemon", "postmaster", NULL };
	static const char *const word[] = { "mailer", "smtp", "mta", "antivirus",
	    "gateway", "gateways", "mailsweeper", "mimesweeper", "mailscanner", NULL };
	char *a, *at, *p, *w;
	size_t i;
	int yes = 0;

	if (value == NULL || (a = address_find(value, strlen(value))) == NULL)
		return 0;
	at = strchr(a, '@');
	*at = '\0';
	for (i = 0; !yes && inside[i] != NULL; i++)
		yes = strstr(a, inside[i]) != NULL;
	for (p = a; !yes && *p != '\0'; ) {
		for (w = p; *p >= 'a' && *p <= 'z'; p++)
			;
		for (i = 0; !yes && word[i] != NULL && p > w; i++)
			yes = strlen(word[i]) == (size_t)(p - w) &&
			    memcmp(word[i], w, (size_t)(p - w)) == 0;
		while (*p != '\0' && !(*p >= 'a' && *p <= 'z'))
			p++;
	}
	free(a);
	return yes;
}

/* A null sender, or a mail system's name or mailbox in From or Return-Path. */
static int
system_sender(const struct mail *m)
{
	static const char *const names[] = { "mail administrator", "system administrator",
	    "mail system", "mailadmin", "mail-daemon", "mail delivery", NULL };
	char *rp;
	int yes = plain_from_daemon(m) || system_mailbox(m->from);
	size_t i;

	for (i = 0; !yes && names[i] != NULL && m->from != NULL; i++)
		yes = text_find(m->from, strlen(m->from), names[i]) != NULL;
	if (!yes && (rp = mail_header(m, "Return-Path")) != NULL) {
		yes = strstr(rp, "<>") != NULL || system_mailbox(rp);
		free(rp);
	}
	return yes;
}

/* A returned copy, or a delivery-status part (however empty) beside the text. */
static int
has_report_part(const struct mail *m)
{
	size_t i;

	for (i = 0; i < m->nparts; i++)
		if (m->parts[i].in_original ||
		    strcmp(m->parts[i].type, "text/rfc822-headers") == 0 ||
		    strcmp(m->parts[i].type, "message/delivery-status") == 0 ||
		    strcmp(m->parts[i].type, "message/global-delivery-status") == 0)
			return 1;
	return 0;
}

/*
 * Does the text open by saying that delivery failed, then name the address alone
 * on its line ("Your message could not be delivered to" / "ned@example.com", under
 * a row of asterisks)? A mail system's notice does; a person's reply opens with
 * their own words.
 */
static int
opens_with_failure(const struct reading *g, size_t limit)
{
	size_t i, k;

	for (i = 0; i < limit; i++) {
		const struct gline *l = &g->lines[i];
		const char *t = plain_skip_blanks(l->s, l->s + l->n);

		if (t == l->s + l->n || strchr("-=*_#", *t) != NULL)
			continue;
		if (!(l->kinds & (W_INTRO | W_HEADING)))
			return 0;
		for (k = i + 1; k < limit && k < i + 4; k++) {
			const char *a = plain_skip_blanks(g->lines[k].s,
			    g->lines[k].s + g->lines[k].n), *rest;
			const char *e = g->lines[k].s + g->lines[k].n;
			char *found;

			if (a == e)
				continue;
			if ((found = leading_address(a, (size_t)(e - a), &rest)) == NULL)
				continue;
			free(found);
			/* '"kim@example.com" <kim@example.com>' is still one address. */
			if (rest < e && *rest == '<' && (a = memchr(rest, '>',
			    (size_t)(e - rest))) != NULL)
				rest = a + 1;
			return plain_blank(rest, e);
		}
		return 0;
	}
	return 0;
}

static int
any_code(const struct reading *g, size_t limit)
{
	size_t i;

	for (i = 0; i < limit; i++)
		if (g->lines[i].code)
			return 1;
	return 0;
}

/* Is this a delivery failure (or delay) report at all? */
static int
is_report(const struct mail *m, const struct reading *g, size_t limit,
    unsigned subject, unsigned body)
{
	/* A bare body (pasted, or handed on by a gateway) has no sender to show. */
	int system = system_sender(m) || m->nfields == 0, failing, support;
	size_t i, coded = 0, worded = 0;

	/*
	 * Lines that name an address beside a reply or status code; beside words
	 * of an error only, they support a mail system's report but not anyone's
	 * ("Write to help@example.com when something failed.").
	 */
	for (i = 0; i < limit; i++) {
		if (memchr(g->lines[i].s, '@', g->lines[i].n) == NULL)
			continue;
		coded += g->lines[i].code;
		worded += (g->lines[i].kinds & W_ERROR) != 0;
	}
	/*
	 * A member's reply about a bounce, or an out-of-office notice, is not one;
	 * a gateway that answers "RE: <subject>: non remis" opens with the failure.
	 */
	if (!system && ((subject & W_AUTOREPLY) || (m->subject != NULL &&
	    text_starts(m->subject, strlen(m->subject), "re:") &&
	    !opens_with_failure(g, limit))))
		return 0;
	/* "Successfully delivered to the following recipients": nothing failed. */
	if (((subject | body) & W_SUCCESS) && !(body & (W_FINAL | W_DELAY)) &&
	    !any_code(g, limit) && !(body & W_ERROR))
		return 0;
	failing = ((subject & (W_SUBJECT | W_DELAY)) && !(subject & W_NOTFAIL)) ||
	    (body & (W_INTRO | W_HEADING)) || (system && (body & W_ERROR) &&
	    any_code(g, limit));
	support = system || g->cut >= 0 || has_report_part(m) ||
	    mail_auto_submitted(m) || mail_header_has(m, "X-Failed-Recipients") ||
	    coded > 0 || ((subject & W_SUBJECT) && opens_with_failure(g, limit));
	return (failing && support) || (system && coded + worded > 0);
}

/*
 * The error text for a candidate: its own, or where it has none (or is the only
 * one and its text says nothing), the report's first paragraph with an error in it.
 */
static void
candidate_diagnostic(const struct reading *g, const struct candidate *c, size_t limit,
    const char **d, size_t *dn)
{
	*d = c != NULL ? c->diag : NULL;
	*dn = c != NULL ? c->diag_len : 0;
	if (*d != NULL && (g->ncands > 1 || has_error_code(*d, *dn) ||
	    (kinds_of(*d, *dn) & W_ERROR)))
		return;
	if (error_paragraph(g, limit, 0, d, dn)) {
		/*
		 * A delivery to a program: its own lines ("pipe to |/usr/bin/filter")
		 * and the error the program gave, with what stands between.
		 */
		if (c != NULL && c->program && c->diag != NULL && *d > c->diag &&
		    (size_t)(*d + *dn - c->diag) <= GENERIC_MAX_DIAG) {
			*dn = (size_t)(*d + *dn - c->diag);
			*d = c->diag;
		}
		return;
	}
	/* An address alone under a heading: the error below it, or the opening. */
	if (*d == NULL && c != NULL && c->below > 0)
		error_below(g, c->below, limit, d, dn);
	if (*d == NULL)
		error_paragraph(g, limit, 1, d, dn);
}

/* The first line of the paragraph where DSN fields written into the text start. */
static size_t
fields_start(const struct reading *g, size_t limit)
{
	static const char *const fields[] = { "reporting-mta:", "final-recipient:",
	    "original-recipient:", "received-from-mta:", "arrival-date:", NULL };
	size_t i, k;

	for (i = 0; i < limit; i++)
		for (k = 0; fields[k] != NULL; k++)
			if (text_starts(g->lines[i].s, g->lines[i].n, fields[k])) {
				while (i > 0 && !blank(&g->lines[i - 1]))
					i--;
				return i;
			}
	return limit;
}

/*
 * Results that DSN fields in the text named without a Diagnostic-Code: the
 * reading's text for the same address, or the report's error paragraph when the
 * report names one recipient (the fields may name the mailbox an alias led to).
 */
static void
inline_diagnostics(const struct reading *g, struct report *r, size_t limit)
{
	const struct candidate *c;
	const char *d;
	size_t i, k, dn;

	for (i = 0; i < r->nresults; i++) {
		struct result *res = &r->results[i];

		if (res->diagnostic != NULL || res->recipient == NULL)
			continue;
		for (c = NULL, k = 0; k < g->ncands; k++)
			if (strcmp(g->cands[k].address, res->recipient) == 0)
				c = &g->cands[k];
		if (c == NULL && r->nresults > 1)
			continue;
		candidate_diagnostic(g, c, limit, &d, &dn);
		if (d != NULL)
			result_set(&res->diagnostic, d, dn);
	}
}

static void
reading_free(struct reading *g)
{
	size_t i;

	for (i = 0; i < g->ncands; i++)
		free(g->cands[i].address);
	for (i = 0; i < g->nown; i++)
		free(g->own[i]);
	for (i = 0; i < g->nsent_to; i++)
		free(g->sent_to[i]);
	for (i = 0; i < g->nvia; i++)
		free(g->via[i]);
	free(g->cands);
	free(g->lines);
}

static int
generic_parse(const struct mail *m, struct report *r)
{
	struct reading g;
	const char *text, *d;
	unsigned subject = 0, body = 0;
	size_t len, limit, i, dn, kept = 0;
	int delayed, added = 0, any_sent = 0;

	pthread_once(&vocabulary_once, vocabulary_build);
	memset(&g, 0, sizeof g);
	text = mail_text(m, &len);
	if (len == 0 && m->body != NULL) {
		text = m->body;
		len = m->body_len;
	}
	g.lines = xreallocarray(NULL, GENERIC_MAX_LINES, sizeof *g.lines);
	read_lines(&g, text, len);
	limit = g.cut >= 0 ? (size_t)g.cut : g.nlines;
	for (i = 0; i < limit; i++)
		body |= g.lines[i].kinds;
	if (m->subject != NULL)
		subject = kinds_of(m->subject, strlen(m->subject));
	if (!is_report(m, &g, limit, subject, body)) {
		reading_free(&g);
		return 0;
	}
	g.cands = xcalloc(GENERIC_MAX_CANDIDATES, sizeof *g.cands);
	/*
	 * RFC 3464 fields written into the text: the report names its recipients,
	 * and the prose above the fields (a transcript, "mailbox is full") says why
	 * where the fields do not.
	 */
	if (limit > 0 && (added = plain_inline_dsn(text, g.lines[limit - 1].s +
	    g.lines[limit - 1].n, r)) > 0) {
		limit = fields_start(&g, limit);
		collect_own(m, &g);
		read_rcpt_to(&g, limit);
		read_address_lines(&g, limit);
		read_error_lines(&g, limit);
		inline_diagnostics(&g, r, limit);
		reading_free(&g);
		return added;
	}
	collect_own(m, &g);
	read_failed_header(m, &g);
	read_rcpt_to(&g, limit);
	read_address_lines(&g, limit);
	read_error_lines(&g, limit);
	if (g.ncands == 0)
		read_summary(&g, limit);
	if (g.ncands == 0)
		read_bare_names(m, &g, limit);
	if (g.ncands == 0 && (subject & W_SUBJECT))
		read_subject(m, &g);
	if (g.ncands == 0)
		read_envelope(m, &g);

	if (g.full)
		report_warn(r, "more than %d addresses next to errors; only the first %d"
		    " were read", GENERIC_MAX_CANDIDATES, GENERIC_MAX_CANDIDATES);
	/* Cross-check: where the returned message names its recipients, trust them. */
	for (i = 0; i < g.ncands; i++)
		any_sent |= sent_to(&g, g.cands[i].address);
	delayed = ((subject | body) & W_DELAY) && !((subject | body) & W_FINAL);
	for (i = 0; i < g.ncands; i++) {
		struct candidate *c = &g.cands[i];
		struct result *res;

		if (c->weak && any_sent && !sent_to(&g, c->address))
			continue;
		kept++;
		if ((res = report_add(r, c->address)) == NULL)
			break;
		candidate_diagnostic(&g, c, limit, &d, &dn);
		if (res->diagnostic == NULL && d != NULL)
			result_set(&res->diagnostic, d, dn);
		if (res->diagnostic != NULL && text_find(res->diagnostic,
		    strlen(res->diagnostic), "said:") != NULL)
			plain_remote_before(res, res->diagnostic, strlen(res->diagnostic),
			    "said:");
		if (res->action == NULL)
			res->action = xstrdup(delayed ? "delayed" : "failed");
		added++;
	}
	/*
	 * A mail system says delivery failed and names nobody we can trust: a result
	 * without a recipient, which the list's VERP address may still name.
	 */
	if (kept == 0 && (system_sender(m) || m->nfields == 0) &&
	    ((subject & W_SUBJECT) || (body & W_INTRO)) &&
	    !(subject & W_NOTFAIL)) {
		struct result *res = report_add(r, NULL);

		if (res != NULL) {
			if (error_paragraph(&g, limit, 1, &d, &dn))
				result_set(&res->diagnostic, d, dn);
			res->action = xstrdup(delayed ? "delayed" : "failed");
			added++;
		}
	}
	reading_free(&g);
	return added;
}

const struct format format_generic = { "generic", generic_parse, NULL, 1 };
