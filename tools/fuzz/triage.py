"""Group failures.jsonl signatures, folding the known 'scalar text lost' family."""
import collections, json, re, sys, glob
c = collections.Counter(); ex = {}
for f in glob.glob(sys.argv[1] if len(sys.argv) > 1 else "out/*/failures.jsonl"):
    for l in open(f):
        d = json.loads(l); s = d["sig"]
        m = re.match(r"stdout : oracle='\s*([^:]+): \"(.*)\"' envlib='\s*([^:]+): (.*)'$", s)
        if m and m.group(1) == m.group(3):
            s = "KNOWN scalar-text-stringified"
        s = s[:100]
        c[s] += 1; ex.setdefault(s, d["seed"])
for k, v in c.most_common(): print(v, ex[k], k)
