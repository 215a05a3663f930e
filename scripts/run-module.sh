#!/usr/bin/env bash
# run-module.sh MODULE MAIN_CLASS [-Dprop=value ...] ARGS...
# Builds MODULE (and what it depends on) when its classes are missing or older than its sources, caches
# its runtime classpath (no test jars) in MODULE/target/classpath.txt, and runs MAIN_CLASS with a JDK >= 21.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
module="$1"; main="$2"; shift 2
jvm_props=()
while [ $# -gt 0 ] && [[ "$1" == -D* ]]; do jvm_props+=("$1"); shift; done

source "$root/scripts/java-home.sh"
java_bin="${JAVA_HOME:+$JAVA_HOME/bin/}java"

classes="$root/$module/target/classes"
classpath_file="$root/$module/target/classpath.txt"
if [ ! -d "$classes" ] || [ ! -f "$classpath_file" ] \
    || [ -n "$(find "$root"/dcp-core/src/main "$root/$module/src/main" "$root/pom.xml" "$root/$module/pom.xml" -newer "$classpath_file" -print -quit)" ]; then
  (cd "$root" && ./mvnw -q -B -pl "$module" -am install -DskipTests >&2 \
    && ./mvnw -q -B -pl "$module" dependency:build-classpath -DincludeScope=runtime -Dmdep.outputFile="$classpath_file" >&2)
fi
exec "$java_bin" --enable-native-access=ALL-UNNAMED "${jvm_props[@]}" -cp "$classes:$(cat "$classpath_file")" "$main" "$@"
