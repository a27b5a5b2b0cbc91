#!/bin/sh
# show.sh PATTERN : first saved failure whose sig matches PATTERN
f=$(grep -l -- "$1" out/*/*/*/info.txt | head -1); d=$(dirname $f); echo "== $d"; head -c 400 $d/info.txt; echo; diff $d/oracle.out $d/envlib.out | head -${2:-20}
