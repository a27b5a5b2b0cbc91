"""Remote ``resources:``/``components:`` entries, loaded the way kustomize v5.5 loads them.

* :mod:`.repospec` decides whether an entry is a git repository URL (and splits it into the
  clone URL, the path inside the repository and the query options), and whether it is a
  plain HTTP(S) file URL kustomize would ``GET`` first;
* :mod:`.fetcher` runs the system ``git`` with exactly the commands kustomize's cloner runs,
  so the user's git configuration (credentials, ``url.<base>.insteadOf``, proxies) applies;
* :mod:`.httpfetch` downloads file URLs (timeout and size limit);
* :mod:`.cache` keeps both outside the user's repository (XDG cache directory), published
  atomically, so ``--offline`` builds can run from it;
* :mod:`.session` is what one build uses: fetch-once memo, offline switch, progress line.

A fetched remote root is then built like a local directory, with kustomize's rule that a
remote root is always restricted to itself (:mod:`envlib.kustomize.load.fs` mounts).
"""
