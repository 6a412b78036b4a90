"""Accuracy of the suggested lead agency on a labelled set, beside a plain baseline.

    .venv/bin/python bench/suggest_agencies.py [--verbose]
    DATABASE_URL=postgres://…/empty_db .venv/bin/python bench/suggest_agencies.py

What the method learns from: ``bench/data/assignment_history.json``, proposals of the
sessions 2022–2025 with the lead agency and co-handlers they were assigned, loaded and
assigned through the services. What it is measured on: ``bench/data/assignment_eval.json``,
proposals written separately (none of them is in the history), each labelled with the
lead agency and co-handlers a city would assign; they are logged and registered in the
2026 session, never assigned. Both sets use the demo's agencies (``demo/words.py``).

For each proposal of the evaluation set the suggestion is computed as the assign page
computes it (``suggest_agencies``) and compared with the label:

- top-1: the first suggested lead is the labelled lead; top-3: it is among the first three;
- co-handlers: of the suggested co-handlers, the share labelled (precision), and of the
  labelled ones, the share suggested (recall);

beside two others on the same data: the **baseline**, the most frequent lead agency of the
proposal's category in the history (top-3: the three most frequent); and the method given
the **title only** (望文定案), to show what reading the body and recommendations adds.
"""

from __future__ import annotations

import argparse
import time
from collections import Counter, defaultdict

from proposal_sets import Loader, read, rebuild_index, setup


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--verbose", action="store_true", help="list every proposal whose lead is missed")
    options = parser.parse_args()
    vendor = setup()
    history, evaluation = read("assignment_history.json"), read("assignment_eval.json")
    titles = {item["title"] for item in history}
    overlap = [item["id"] for item in evaluation if item["title"] in titles]
    loader = Loader()
    started = time.perf_counter()
    for item in history:
        loader.proposal(item, session=item["session"], assign=True)
    proposals = [(item, loader.proposal(item, session="14-1")) for item in evaluation]
    rebuild_index()
    print(f"database: {vendor}; history {len(history)} assigned proposals, evaluation "
          f"{len(evaluation)} (titles also in the history: {len(overlap)}); "
          f"loaded and indexed in {time.perf_counter() - started:.1f} s")

    by_category: dict[str, Counter] = defaultdict(Counter)
    for item in history:
        by_category[item["category"]][item["lead"]] += 1

    def baseline(item, _proposal):
        return [code for code, _n in by_category[item["category"]].most_common(3)], []

    def method(_item, proposal):
        from search.suggestions import suggest_agencies

        suggestion = suggest_agencies(proposal)
        return ([vote.agency.code for vote in suggestion.leads],
                [vote.agency.code for vote in suggestion.co_handlers])

    def title_only(_item, proposal):
        from search.profiles import profile_of
        from search.suggestions import suggest_agencies

        suggestion = suggest_agencies(proposal, own=profile_of(proposal.title, []))
        return ([vote.agency.code for vote in suggestion.leads],
                [vote.agency.code for vote in suggestion.co_handlers])

    rows = []
    for name, chooser in [("baseline: category's most frequent lead", baseline),
                          ("suggestion, title only (望文定案)", title_only),
                          ("suggestion (suggest_agencies)", method)]:
        top1 = top3 = none = co_shown = co_right = co_labelled = 0
        apart = apart_top1 = 0
        started = time.perf_counter()
        for item, proposal in proposals:
            leads, cos = chooser(item, proposal)
            if item["id"] not in overlap:
                apart += 1
                apart_top1 += bool(leads) and leads[0] == item["lead"]
            top1 += bool(leads) and leads[0] == item["lead"]
            top3 += item["lead"] in leads[:3]
            none += not leads
            co_shown += len(cos)
            co_right += len(set(cos) & set(item["co"]))
            co_labelled += len(item["co"])
            if options.verbose and chooser is method and (not leads or leads[0] != item["lead"]):
                print(f"  {item['id']} {item['title']}: labelled {item['lead']}, suggested {leads}")
        ms = (time.perf_counter() - started) / len(proposals) * 1000
        rows.append((name, top1, top3, none, co_right, co_shown, co_labelled, ms, apart_top1, apart))
    count = len(proposals)
    print(f"\n{'method':<42}{'top-1':>14}{'top-3':>14}{'none':>6}{'co precision':>20}{'co recall':>18}{'ms':>7}"
          f"{'top-1, titles not in history':>30}")
    for name, top1, top3, none, co_right, co_shown, co_labelled, ms, apart_top1, apart in rows:
        co_p = f"{co_right / co_shown:.1%} ({co_right}/{co_shown})" if co_shown else "-"
        co_r = f"{co_right / co_labelled:.1%} ({co_right}/{co_labelled})" if co_shown else "-"
        print(f"{name:<42}{top1 / count:>7.1%} ({top1:>3}){top3 / count:>7.1%} ({top3:>3}){none:>6}"
              f"{co_p:>20}{co_r:>18}{ms:>7.1f}{apart_top1 / apart:>20.1%} ({apart_top1}/{apart})")


if __name__ == "__main__":
    main()
