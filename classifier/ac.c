/*
 * ac.c: Aho-Corasick matching (see ac.h). Nodes keep their children in an edge
 * list; the root's children are also in a 256-entry table, since most steps over
 * prose start again at the root.
 */
#include <stdlib.h>

#include "ac.h"
#include "xalloc.h"

struct ac_node {
	int	 first_edge;	/* index into edges, -1 when none */
	int	 fail;
	int	 output;	/* first match ending here, -1 */
	int	 dict;		/* nearest node on the fail chain with output, -1 */
};

struct ac_edge {
	unsigned char	 byte;
	int		 child;
	int		 next;	/* next edge of the same node */
};

struct ac_output {
	int	 id;
	int	 next;		/* next output of the same node, -1 */
	int	 node;
};

/* A table bigger than this many states x byte classes is not built (see below). */
#define AC_DENSE_MAX	(256 * 1024)

struct ac {
	struct ac_node	*nodes;
	size_t		 nnodes;
	struct ac_edge	*edges;
	size_t		 nedges;
	struct ac_output *outputs;
	size_t		 noutputs;
	size_t		 longest;	/* pattern length, for ac_scan_set() */
	int		 root[256];
	/*
	 * The whole automaton as a table, when small enough: the next state of
	 * state s is dense[s * nclasses + class of byte], where bytes that occur in
	 * no pattern share one class. An entry holds the next state's row offset
	 * (its number times nclasses), negated when a pattern ends there, so a step
	 * is one load and one test. Gating the decoders by their markers through the
	 * edge lists cost 48M instructions over the corpus, more than the decoders'
	 * own scans it replaced, because most letters start some marker.
	 */
	int		*dense;
	int		 nclasses;
	unsigned char	 byte_class[256];
	unsigned char	 folded_class[256];	/* of the lower-cased byte */
};

/*
 * Room for one more element in an array of `count`. The capacity is implied: the
 * next power of two (at least 16), so growing costs O(n) copies in all, not O(n^2)
 * (which made compiling the built-in rule table take seconds under ASan).
 */
static void *
grow(void *array, size_t count, size_t size)
{
	if (count >= 16 && (count & (count - 1)) != 0)
		return array;
	return xreallocarray(array, count < 16 ? 16 : count * 2, size);
}

static int
new_node(struct ac *a)
{
	a->nodes = grow(a->nodes, a->nnodes, sizeof *a->nodes);
	a->nodes[a->nnodes] = (struct ac_node){ -1, 0, -1, -1 };
	return (int)a->nnodes++;
}

struct ac *
ac_new(void)
{
	struct ac *a = xcalloc(1, sizeof *a);
	int i;

	new_node(a);
	for (i = 0; i < 256; i++)
		a->root[i] = -1;
	return a;
}

void
ac_free(struct ac *a)
{
	if (a == NULL)
		return;
	free(a->nodes);
	free(a->edges);
	free(a->outputs);
	free(a->dense);
	free(a);
}

static int
child_of(const struct ac *a, int node, unsigned char c)
{
	int k;

	for (k = a->nodes[node].first_edge; k != -1; k = a->edges[k].next)
		if (a->edges[k].byte == c)
			return a->edges[k].child;
	return -1;
}

void
ac_add(struct ac *a, const char *pattern, int id)
{
	const unsigned char *s = (const unsigned char *)pattern;
	int node = 0, child, *tail;

	for (; *s != '\0'; s++) {
		if ((child = child_of(a, node, *s)) == -1) {
			child = new_node(a);
			a->edges = grow(a->edges, a->nedges, sizeof *a->edges);
			a->edges[a->nedges] = (struct ac_edge){ *s, child,
			    a->nodes[node].first_edge };
			a->nodes[node].first_edge = (int)a->nedges++;
		}
		node = child;
	}
	if ((size_t)(s - (const unsigned char *)pattern) > a->longest)
		a->longest = (size_t)(s - (const unsigned char *)pattern);
	a->outputs = grow(a->outputs, a->noutputs, sizeof *a->outputs);
	a->outputs[a->noutputs] = (struct ac_output){ id, -1, node };
	for (tail = &a->nodes[node].output; *tail != -1; tail = &a->outputs[*tail].next)
		;
	*tail = (int)a->noutputs++;
}

static int
dense_entry(const struct ac *a, int node)
{
	int has_output = a->nodes[node].output != -1 || a->nodes[node].dict != -1;

	return has_output ? -node * a->nclasses : node * a->nclasses;
}

/*
 * The table of every state's next state by byte class, filled in breadth-first
 * order (queue) so a state's failure state has its row already.
 */
static void
dense_build(struct ac *a, const int *queue, int nqueued)
{
	int used[256] = { 0 }, i, k, cls, node;

	for (k = 0; k < (int)a->nedges; k++)
		used[a->edges[k].byte] = 1;
	a->nclasses = 1;
	for (i = 0; i < 256; i++) {
		a->byte_class[i] = used[i] && a->nclasses < 255 ? (unsigned char)a->nclasses++ : 0;
		if (used[i] && a->byte_class[i] == 0)
			return;		/* over 254 distinct bytes: stay sparse */
	}
	for (i = 0; i < 256; i++)
		a->folded_class[i] = a->byte_class[(i >= 'A' && i <= 'Z') ? i + 32 : i];
	if (a->nnodes * (size_t)a->nclasses > AC_DENSE_MAX)
		return;
	a->dense = xcalloc(a->nnodes * (size_t)a->nclasses, sizeof *a->dense);
	for (i = 0; i < 256; i++)
		if (a->root[i] != -1)
			a->dense[a->byte_class[i]] = dense_entry(a, a->root[i]);
	for (k = 0; k < nqueued; k++) {
		node = queue[k];
		for (cls = 0; cls < a->nclasses; cls++)
			a->dense[node * a->nclasses + cls] =
			    a->dense[a->nodes[node].fail * a->nclasses + cls];
		for (i = a->nodes[node].first_edge; i != -1; i = a->edges[i].next)
			a->dense[node * a->nclasses + a->byte_class[a->edges[i].byte]] =
			    dense_entry(a, a->edges[i].child);
	}
}

/* Breadth-first: failure links and dictionary links. */
void
ac_compile(struct ac *a)
{
	int *queue = xmalloc(a->nnodes * sizeof *queue), head = 0, tail = 0, k;

	for (k = a->nodes[0].first_edge; k != -1; k = a->edges[k].next) {
		a->root[a->edges[k].byte] = a->edges[k].child;
		a->nodes[a->edges[k].child].fail = 0;
		queue[tail++] = a->edges[k].child;
	}
	while (head < tail) {
		int node = queue[head++];

		for (k = a->nodes[node].first_edge; k != -1; k = a->edges[k].next) {
			int child = a->edges[k].child, f = a->nodes[node].fail, next;

			while ((next = child_of(a, f, a->edges[k].byte)) == -1 && f != 0)
				f = a->nodes[f].fail;
			a->nodes[child].fail = (next != -1 && next != child) ? next : 0;
			f = a->nodes[child].fail;
			a->nodes[child].dict = a->nodes[f].output != -1 ? f : a->nodes[f].dict;
			queue[tail++] = child;
		}
	}
	dense_build(a, queue, tail);
	free(queue);
}

static int
step(const struct ac *a, int state, unsigned char c)
{
	int next = -1;

	while (state != 0 && (next = child_of(a, state, c)) == -1)
		state = a->nodes[state].fail;
	if (state == 0)
		next = a->root[c];
	return next == -1 ? 0 : next;
}

/* Report the patterns that end at state. */
static void
report(const struct ac *a, int state, void (*found)(int, void *), void *arg)
{
	int d, o;

	for (d = a->nodes[state].output != -1 ? state : a->nodes[state].dict; d != -1;
	    d = a->nodes[d].dict)
		for (o = a->nodes[d].output; o != -1; o = a->outputs[o].next)
			found(a->outputs[o].id, arg);
}

static int
scan_dense(const struct ac *a, int state, const unsigned char *p,
    const unsigned char *end, const unsigned char *classes,
    void (*found)(int, void *), void *arg)
{
	int row = state * a->nclasses;

	for (; p < end; p++) {
		if ((row = a->dense[row + classes[*p]]) < 0) {
			row = -row;
			report(a, row / a->nclasses, found, arg);
		}
	}
	return row / a->nclasses;
}

/* Lanes of ac_scan_set(), and the shortest text worth splitting. */
#define AC_LANES	4
#define AC_LANE_MIN	32

/*
 * One step of a lane in scan_lanes(): a macro, so that each lane's state stays
 * in a register of its own (an array or a helper taking its address put them in
 * memory, a store and a load more on the chain).
 */
#define AC_LANE_STEP(row, at) do {						\
	if (((row) = dense[(row) + classes[*(at)]]) < 0) {			\
		(row) = -(row);							\
		report(a, (row) / a->nclasses, found, arg);			\
	}									\
} while (0)

/*
 * The dense scan of one text as four independent lanes run side by side. A step
 * waits for the one before it (a load whose address is the last load's result),
 * so one lane leaves the processor idle most of the time; four chains overlap.
 * Lane k starts `longest - 1` bytes before its share, from the root, so every
 * match ending in its share is seen whole; matches in the overlap may be
 * reported twice.
 */
static void
scan_lanes(const struct ac *a, const unsigned char *s, size_t n,
    const unsigned char *classes, void (*found)(int, void *), void *arg)
{
	size_t share = n / AC_LANES, back = a->longest - 1, i;
	const unsigned char *p0 = s, *p1 = s + share - back, *p2 = s + 2 * share - back;
	const unsigned char *p3 = s + 3 * share - back;
	const int *dense = a->dense;
	int r0 = 0, r1 = 0, r2 = 0, r3 = 0;

	/* Lane 0, the shortest, sets the length run side by side. */
	for (i = 0; i < share; i++) {
		AC_LANE_STEP(r0, p0 + i);
		AC_LANE_STEP(r1, p1 + i);
		AC_LANE_STEP(r2, p2 + i);
		AC_LANE_STEP(r3, p3 + i);
	}
	scan_dense(a, r1 / a->nclasses, p1 + share, s + 2 * share, classes, found, arg);
	scan_dense(a, r2 / a->nclasses, p2 + share, s + 3 * share, classes, found, arg);
	scan_dense(a, r3 / a->nclasses, p3 + share, s + n, classes, found, arg);
}

void
ac_scan_set(const struct ac *a, const char *s, size_t n, int fold_case,
    void (*found)(int id, void *arg), void *arg)
{
	const unsigned char *classes = fold_case ? a->folded_class : a->byte_class;

	if (a->dense == NULL || a->longest == 0 ||
	    n / AC_LANES < a->longest + AC_LANE_MIN) {
		ac_scan(a, 0, s, n, fold_case, found, arg);
		return;
	}
	scan_lanes(a, (const unsigned char *)s, n, classes, found, arg);
}

int
ac_scan(const struct ac *a, int state, const char *s, size_t n, int fold_case,
    void (*found)(int id, void *arg), void *arg)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + n;

	if (a->dense != NULL)
		return scan_dense(a, state, p, end, fold_case ? a->folded_class :
		    a->byte_class, found, arg);
	for (; p < end; p++) {
		unsigned char c = *p;

		if (fold_case && c >= 'A' && c <= 'Z')
			c += 32;
		/* Most bytes of prose start nothing: stay at the root cheaply. */
		if (state == 0) {
			if ((state = a->root[c]) == -1) {
				state = 0;
				continue;
			}
		} else
			state = step(a, state, c);
		if (a->nodes[state].output != -1 || a->nodes[state].dict != -1)
			report(a, state, found, arg);
	}
	return state;
}

/* Call found() for the patterns that end at state, at offset end; 1 when it stops. */
static int
report_where(const struct ac *a, int state, size_t end,
    int (*found)(int, size_t, void *), void *arg)
{
	int d, o;

	for (d = a->nodes[state].output != -1 ? state : a->nodes[state].dict; d != -1;
	    d = a->nodes[d].dict)
		for (o = a->nodes[d].output; o != -1; o = a->outputs[o].next)
			if (found(a->outputs[o].id, end, arg))
				return 1;
	return 0;
}

void
ac_scan_where(const struct ac *a, const char *s, size_t n, int fold_case,
    int (*found)(int id, size_t end, void *arg), void *arg)
{
	const unsigned char *p = (const unsigned char *)s;
	const unsigned char *classes = fold_case ? a->folded_class : a->byte_class;
	int state = 0, row = 0;
	size_t i;

	if (a->dense != NULL) {
		for (i = 0; i < n; i++)
			if ((row = a->dense[row + classes[p[i]]]) < 0) {
				row = -row;
				if (report_where(a, row / a->nclasses, i + 1, found, arg))
					return;
			}
		return;
	}
	for (i = 0; i < n; i++) {
		unsigned char c = p[i];

		if (fold_case && c >= 'A' && c <= 'Z')
			c += 32;
		if (state == 0)
			state = a->root[c] == -1 ? 0 : a->root[c];
		else
			state = step(a, state, c);
		if ((a->nodes[state].output != -1 || a->nodes[state].dict != -1) &&
		    report_where(a, state, i + 1, found, arg))
			return;
	}
}
