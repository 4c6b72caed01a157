#!/bin/sh
# Turns db/schema.sql into a C string (build/<flavour>/gen/schema.c).
set -e
{
  echo '/* generated from db/schema.sql by db/gen-schema.sh; do not edit */'
  echo 'const char cs_schema_sql[] ='
  sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/"/' -e 's/$/\\n"/' "$1"
  echo ';'
} > "$2"
