# Sourced by the scripts: points JAVA_HOME at a JDK >= 21 when the current one is older.
java_major() { "$1" -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -n 1; }
current_java="${JAVA_HOME:+$JAVA_HOME/bin/}java"
if [ "$(java_major "$current_java" 2>/dev/null || echo 0)" -lt 21 ] 2>/dev/null; then
  for jdk in /usr/lib/jvm/*; do
    if [ -x "$jdk/bin/java" ] && [ "$(java_major "$jdk/bin/java")" -ge 21 ]; then
      export JAVA_HOME="$jdk"
      break
    fi
  done
fi
