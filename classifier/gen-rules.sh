#!/bin/sh
# Turn rules.tsv into a C string (rules-default.c), so the built-in table ships
# inside the program and cannot go missing at run time.
printf '/* Generated from rules.tsv by gen-rules.sh. Do not edit. */\n'
printf '#include "rules.h"\n\nconst char rules_default_text[] =\n'
tab=$(printf '\t')
sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e "s/$tab/\\\\t/g" -e 's/^/\t"/' -e 's/$/\\n"/' "$1"
printf '\t"";\nconst size_t rules_default_len = sizeof rules_default_text - 1;\n'
