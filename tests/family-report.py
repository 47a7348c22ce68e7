#!/usr/bin/env python3
"""family-report.py: per-family figures on the two development corpora, the full
classifier beside the generic reader alone, so that a family caught only by its own
decoder shows.

    tests/family-report.py [--shared DIR] [--gap G] BOUNCESCAN

runs ../shared/tools/corpus-eval on ../shared/corpus/sisimai and
../shared/tools/others-eval on ../shared/corpus/others, each once with
`BOUNCESCAN parse --json` and once with `BOUNCESCAN parse --generic-only --json`,
and prints one line per family (Sisimai: file name without -NN.eml; others: one
per source project) with files, detection, recipient (recall for others) and reason
(non-bounce false positives for others), full | generic-only. A family whose
generic-only detection is at least G (default 0.20) below the full one is marked
'*'. The scorers' own summary lines follow each table. "make family-report" in
tests/ runs it on the built program.

../shared is looked for beside the source tree (the directory above the one
holding tests/), as "make bench" does; exit 77 when it is not there. A binary whose
parse knows no --generic-only is measured with plain --json in both columns, and
the report says so.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

SKIP = 77


def die(msg, code=2):
    sys.stderr.write("family-report: %s\n" % msg)
    sys.exit(code)


def knows_generic_only(binary):
    """Does `parse` take --generic-only? Asked of the program's own help."""
    try:
        out = subprocess.run([binary, "parse", "--help"], capture_output=True,
                             text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired) as e:
        die("%s: %s" % (binary, e))
    return "--generic-only" in out.stdout + out.stderr


def run_scorer(tool, corpus, command):
    """Run a scorer with --json; returns (figures, summary line, table text)."""
    with tempfile.TemporaryDirectory(prefix="family-report.") as tmp:
        path = os.path.join(tmp, "figures.json")
        proc = subprocess.run([tool, "--json", path, corpus, "--"] + command,
                              capture_output=True, text=True)
        if proc.returncode != 0 or not os.path.exists(path):
            die("%s failed (exit %d): %s" % (os.path.basename(tool), proc.returncode,
                                             proc.stderr.strip()[-500:]))
        with open(path) as f:
            figures = json.load(f)
    lines = [l for l in proc.stdout.splitlines() if l.strip()]
    return figures, (lines[-1] if lines else ""), proc.stdout


def table_dashes(text, first_column):
    """Which cells the scorer printed as '-' (nothing to count), by row name and
    column index: its JSON says 0 for those, as for a true 0."""
    dashes, header = {}, None
    for line in text.splitlines():
        cells = line.split()
        if not cells:
            if header is not None:
                break
            continue
        if cells[0] == first_column:
            header = cells
            continue
        if header is not None:
            dashes[cells[0]] = {header[i] for i, c in enumerate(cells) if c == "-"}
    return dashes


def cell(value, dashed):
    return "   -" if dashed or value is None else "%4.2f" % value


def pair(full, generic, dash_full, dash_generic):
    return "%s %s" % (cell(full, dash_full), cell(generic, dash_generic))


def sisimai_table(full, generic, gap):
    ff, gf = full[0]["families"], generic[0]["families"]
    fd = table_dashes(full[2], "family")
    gd = table_dashes(generic[2], "family")
    print("%-26s %5s  %-11s  %-11s  %-11s  %-7s" % (
        "family", "files", "detection", "recipient", "reason", "fp"))
    print("%-26s %5s  %-11s  %-11s  %-11s  %-7s" % (
        "", "", "full gen", "full gen", "full gen", "full gen"))
    marked = 0
    for name in sorted(set(ff) | set(gf)):
        a, b = ff.get(name, {}), gf.get(name, {})
        da, db = fd.get(name, set()), gd.get(name, set())
        mark = ""
        if "detect" not in da and "detect" not in db and \
                a.get("detection", 0) - b.get("detection", 0) >= gap:
            mark = " *"
            marked += 1
        print("%-26s %5d  %s  %s  %s  %3d %3d%s" % (
            name, a.get("files", b.get("files", 0)),
            pair(a.get("detection"), b.get("detection"), "detect" in da, "detect" in db),
            pair(a.get("recipient"), b.get("recipient"), "rcpt" in da, "rcpt" in db),
            pair(a.get("reason"), b.get("reason"), "reason" in da, "reason" in db),
            a.get("fp", 0), b.get("fp", 0), mark))
    return marked


def others_table(full, generic, gap):
    fc, gc = full[0]["corpora"], generic[0]["corpora"]
    print("%-34s %5s  %-11s  %-11s  %-9s" % (
        "corpus", "files", "detection", "recall", "nb-fp"))
    print("%-34s %5s  %-11s  %-11s  %-9s" % ("", "", "full gen", "full gen", "full gen"))
    marked = 0
    for name in sorted(set(fc) | set(gc)):
        a, b = fc.get(name, {}), gc.get(name, {})
        no_det = a.get("det_n", 0) == 0
        no_rec = a.get("rec_n", 0) == 0
        mark = ""
        if not no_det and a.get("detection", 0) - b.get("detection", 0) >= gap:
            mark = " *"
            marked += 1
        nb = "-" if a.get("nb_n", 0) == 0 else "%d/%d %d/%d" % (
            a.get("nb_fp", 0), a["nb_n"], b.get("nb_fp", 0), b.get("nb_n", 0))
        print("%-34s %5d  %s  %s  %s%s" % (
            name, a.get("files", b.get("files", 0)),
            pair(a.get("detection"), b.get("detection"), no_det, no_det),
            pair(a.get("recall"), b.get("recall"), no_rec, no_rec), nb, mark))
    return marked


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description="Per-family figures, full classifier "
                                 "beside parse --generic-only.")
    ap.add_argument("--shared", default=os.path.join(here, "..", "..", "shared"),
                    help="the shared directory (default: ../shared beside the "
                    "source tree)")
    ap.add_argument("--gap", type=float, default=0.20,
                    help="mark families whose generic-only detection is this much "
                    "lower (default 0.20)")
    ap.add_argument("binary", help="the bouncescan program")
    args = ap.parse_args()

    shared = os.path.normpath(args.shared)
    tools = os.path.join(shared, "tools")
    sisimai = os.path.join(shared, "corpus", "sisimai")
    others = os.path.join(shared, "corpus", "others")
    for p in (os.path.join(tools, "corpus-eval"), os.path.join(tools, "others-eval"),
              sisimai, others):
        if not os.path.exists(p):
            print("family-report: %s not found: the shared corpora are not beside "
                  "the source tree; skipped" % p)
            sys.exit(SKIP)
    binary = os.path.abspath(args.binary)
    if not os.access(binary, os.X_OK):
        die("%s: not an executable program" % binary)

    full_cmd = [binary, "parse", "--json"]
    generic_cmd = [binary, "parse", "--generic-only", "--json"]
    if not knows_generic_only(binary):
        print("NOTE: %s parse has no --generic-only: both columns are the full "
              "classifier\n" % binary)
        generic_cmd = full_cmd

    marked = 0
    runs = {}
    for label, tool, corpus in (("sisimai", "corpus-eval", sisimai),
                                ("others", "others-eval", others)):
        runs[label] = tuple(run_scorer(os.path.join(tools, tool), corpus, cmd)
                            for cmd in (full_cmd, generic_cmd))

    print("Sisimai development corpus (%s): full | generic-only" % sisimai)
    marked += sisimai_table(runs["sisimai"][0], runs["sisimai"][1], args.gap)
    print("  full:    %s" % runs["sisimai"][0][1])
    print("  generic: %s" % runs["sisimai"][1][1])
    print()
    print("Other projects' corpora (%s): full | generic-only" % others)
    marked += others_table(runs["others"][0], runs["others"][1], args.gap)
    print("  full:    %s" % runs["others"][0][1])
    print("  generic: %s" % runs["others"][1][1])
    print()
    print("* generic-only detection %.2f or more below full: %d famil%s caught "
          "mainly by %s own decoder" % (args.gap, marked, "y" if marked == 1 else "ies",
                                        "its" if marked == 1 else "their"))
    print("commands: %s | %s" % (" ".join(full_cmd), " ".join(generic_cmd)))


if __name__ == "__main__":
    main()
