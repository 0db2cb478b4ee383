#!/bin/bash
# run1.sh TREE LABEL: one wake-up benchmark run; prints results + server CPU during the measured phase
tree=$1; label=$2; out=/work/notes/ab/$label.out
cd /work/$tree
setsid mvn -B -q -o -Pbench package exec:exec -Dbench.main=org.sippush.bench.WakeUpBenchmark -Dbench.args="${ARGS:-2000 200 3000}" -DskipTests > $out 2>&1 &
mpid=$!
tick=$(getconf CLK_TCK)
cpu_of() { local p; p=$(pgrep -f "standalone-wakeup.*ServerLauncher" | head -1); [ -n "$p" ] && awk -v t=$tick '{print ($14+$15)/t}' /proc/$p/stat 2>/dev/null; }
totcpu() { awk '/^cpu /{print ($2+$3+$4+$7+$8)/100}' /proc/stat; }
w0=""; 
for i in $(seq 1 1200); do
  sleep 0.5
  if [ -z "$w0" ] && grep -q "^warm-up:" $out; then w0=$(cpu_of); t0=$(date +%s.%N); m0=$(totcpu); fi
  if grep -q "^server status:" $out; then w1=$(cpu_of); t1=$(date +%s.%N); m1=$(totcpu); break; fi
  if ! kill -0 $mpid 2>/dev/null; then break; fi
done
sleep 3
kill -- -$mpid 2>/dev/null; sleep 1; kill -9 -- -$mpid 2>/dev/null
grep -E "^calls:|^server,|^phone|^caller" $out
[ -n "$w0" ] && [ -n "$w1" ] && echo "measured phase: $(echo "$t1 - $t0" | bc) s wall, server CPU $(echo "$w1 - $w0" | bc) s, machine CPU $(echo "$m1 - $m0" | bc) s"
