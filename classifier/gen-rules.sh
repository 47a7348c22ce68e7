#!/bin/sh
# Turn rules.tsv into a C string (rules-default.c), so the built-in table ships
# inside the program and cannot go missing at run time.
printf '/* Generated from rules.tsv by gen-rules.sh. Do not edit. */\n'
printf '#include "rules.h"\n\nconst char rules_default_text[] =\n'
awk '{ gsub(/\\/, "\\\\"); gsub(/"/, "\\\""); gsub(/\t/, "\\t"); printf "\t\"%s\\n\"\n", $0 }' "$1"
printf '\t"";\nconst size_t rules_default_len = sizeof rules_default_text - 1;\n'
