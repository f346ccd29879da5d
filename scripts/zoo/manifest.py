"""models/zoo/manifest.json: the sha256 and size of every file of the zoo.

Usage: manifest.py   (run after training; test/zoo checks the hashes on every test run)
"""

import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import subjects  # noqa: E402

MANIFEST = os.path.join(subjects.ZOO_DIR, "manifest.json")


def main():
    files = {}
    for slug in subjects.ZOO_SLUGS:
        folder = os.path.join(subjects.ZOO_DIR, slug)
        for name in sorted(os.listdir(folder)):
            path = os.path.join(folder, name)
            if os.path.isfile(path):
                files["%s/%s" % (slug, name)] = {"sha256": subjects.sha256_file(path), "bytes": os.path.getsize(path)}
    subjects.write_json(MANIFEST, {
        "description": "sha256 of every file of the tiny model zoo, paths relative to models/zoo. "
                       "Weights are trained once (scripts/zoo/build.sh) and committed; never retrained in CI.",
        "models": subjects.ZOO_SLUGS,
        "files": files,
    })
    print("%s: %d files" % (os.path.relpath(MANIFEST, subjects.ROOT), len(files)))


if __name__ == "__main__":
    main()
