"""Quality of the similar-proposal check on a labelled set: recall at 5 and precision.

    .venv/bin/python bench/similar_proposals.py [--verbose]
    DATABASE_URL=postgres://…/empty_db .venv/bin/python bench/similar_proposals.py

The set is ``bench/data/similar_eval.json``: a corpus of proposals of sessions 2022–2026
and queries, new proposals each labelled with the corpus proposals that are the same
matter in other words (``same``) — and near misses in the corpus that share their words
but are not. Everything is loaded through the services into a throw-away database
(SQLite, or the empty PostgreSQL database named by DATABASE_URL) and indexed; then each
query's panel is computed as the proposal page computes it (``similar_proposals``: the
best 5 at or above the threshold). Other queries found by a query are left out of the
counts (they are not labelled).

- recall@5: of all labelled pairs, the share whose corpus proposal is in its query's
  panel;
- precision: of all corpus proposals shown in the panels, the share labelled the same;
- queries with no match: how many show something anyway.

Printed for the method as it is, and for the method before this round (kept here as the
baseline: Dice of bigram sets, half title half text, 20 % threshold) on the same index.
"""

from __future__ import annotations

import argparse
import time

from proposal_sets import Loader, read, rebuild_index, setup


def baseline(proposal):
    """The method before: 16 terms (the title's, then the text's most frequent), the best 30
    candidates, Dice coefficient of bigram sets half on the titles and half on the whole
    texts, at least 20 %."""
    from collections import Counter

    from search.profiles import subject_terms, title_core
    from search.similarity import candidates, profiles, proposal_texts

    texts = proposal_texts(proposal)
    title = list(dict.fromkeys(subject_terms(title_core(proposal.title))))
    counts = Counter(subject_terms("\n".join(texts)))
    terms = title + [t for t, _n in sorted(counts.items(), key=lambda item: -item[1]) if t not in title]
    ids = candidates(proposal, terms[:16], limit=30) if terms else []

    def dice(a, b):
        return 2 * len(a & b) / (len(a) + len(b)) if a or b else 0.0

    own_title, own_full = set(title), set(title) | set(counts)
    scores = {pk: 0.5 * dice(own_title, set(p.title)) + 0.5 * dice(own_full, set(p.full))
              for pk, p in profiles(ids).items()}
    best = sorted((pk for pk in ids if scores[pk] >= 0.2), key=lambda pk: (-scores[pk], -pk))
    return best[:5]


def current(proposal):
    from search.similarity import similar_proposals

    return [item.proposal.pk for item in similar_proposals(proposal)]


def measure(name, method, queries, key_of, verbose):
    pairs = found_pairs = shown = shown_same = empty_queries = empty_shown = 0
    started = time.perf_counter()
    for item, proposal in queries:
        same = set(item["same"])
        listed = [key_of[pk] for pk in method(proposal) if pk in key_of]
        pairs += len(same)
        found_pairs += len(same & set(listed))
        shown += len(listed)
        shown_same += sum(1 for key in listed if key in same)
        if not same:
            empty_queries += 1
            empty_shown += bool(listed)
        if verbose and (same - set(listed) or set(listed) - same):
            print(f"  {name} {item['key']} {item['title']}: missed {sorted(same - set(listed))} "
                  f"wrongly {sorted(set(listed) - same)}")
    elapsed = (time.perf_counter() - started) / max(1, len(queries)) * 1000
    recall = found_pairs / pairs if pairs else 0
    precision = shown_same / shown if shown else 1
    return (name, recall, found_pairs, pairs, precision, shown_same, shown, empty_shown, empty_queries, elapsed)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--verbose", action="store_true", help="list every query the method gets wrong")
    options = parser.parse_args()
    vendor = setup()
    data = read("similar_eval.json")
    loader = Loader()
    started = time.perf_counter()
    key_of = {}
    for item in data["proposals"]:
        key_of[loader.proposal(item, session=item["session"]).pk] = item["key"]
    queries = [(item, loader.proposal(item, session=item["session"])) for item in data["queries"]]
    rebuild_index()
    print(f"database: {vendor}; corpus {len(data['proposals'])} proposals, {len(queries)} queries "
          f"({sum(1 for q, _p in queries if not q['same'])} without a match); "
          f"loaded and indexed in {time.perf_counter() - started:.1f} s")
    rows = [measure("before (Dice ½ title ½ text, ≥20 %)", baseline, queries, key_of, options.verbose),
            measure("now (similar_proposals)", current, queries, key_of, options.verbose)]
    print(f"\n{'method':<40}{'recall@5':>18}{'precision':>18}{'no-match shown':>16}{'ms/query':>10}")
    for name, recall, found, pairs, precision, same, shown, empty_shown, empty, ms in rows:
        print(f"{name:<40}{recall:>8.1%} ({found:>3}/{pairs:<3}){precision:>8.1%} ({same:>3}/{shown:<3})"
              f"{empty_shown:>8}/{empty:<7}{ms:>10.1f}")


if __name__ == "__main__":
    main()
