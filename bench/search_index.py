"""Benchmark: which PostgreSQL index finds Chinese words in many documents.

    DATABASE_URL=postgres://… .venv/bin/python bench/search_index.py [N] [--runs 5] [--keep]

Builds N synthetic Chinese documents (default 100000) in a scratch table of the
database DATABASE_URL names, indexes them three ways and prints, for 2-, 3- and
4-character queries of different frequency, the median time of counting the matches
and of fetching the first page of 20:

    trgm         pg_trgm: GIN (body gin_trgm_ops), body ILIKE '%养老服务%'
    bigram       CJK bigrams in a tsvector column with GIN: every bigram of the word
                 (terms @@ '养老' & '老服' & '服务') and the exact text (folded LIKE …);
                 the application checks the text so only for words mixing Chinese
                 with Latin letters or digits, or holding a lone character
    phrase       the same index with the phrase operator ('养老' <-> '老服' <-> '服务')
                 and no text check: what the application does for a Chinese word
    bigram-cast  the bigrams kept as text and indexed as an expression
                 (terms_text::tsvector), the query as bigram

The first page is ranked by ts_rank for the three bigram methods (pg_trgm has no rank
for LIKE; its first page is the first 20 rows found).

Each line also says how the plan reached the rows (the index it scanned, or a
sequential scan) and how many rows matched; the methods must agree on the count
(phrase may find fewer in documents past tsvector's 16383 positions). The scratch
table is dropped at the end unless --keep is given.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TABLE = "bench_search_documents"

# Generic words of proposals and replies, most frequent first (drawn with Zipf-like weights).
FILLER = """
发展 工作 建设 推进 加强 企业 社会 管理 提升 完善 机制 政策 我市 问题 群众 部门 推动 经济
项目 落实 建议 资金 改革 创新 体系 资源 保障 产业 城市 环境 安全 文化 市场 制度 措施 人才
平台 标准 基层 组织 质量 规划 投资 合作 培训 就业 信息 公共 支持 引导 鼓励 考核 评价 统筹
协调 示范 试点 推广 宣传 监督 效率 公开 目前 存在 方面 有关 进一步 切实 积极 充分 相关 情况
""".split()

# Topic words planted in a share of the documents: the queries look for them.
PLANTED = {
    "协会": 0.02, "养老": 0.03, "慈善": 0.005, "养老院": 0.01, "工商联": 0.002,
    "充电桩": 0.005, "养老服务": 0.02, "行业协会": 0.005, "知识产权": 0.01,
}

# Characters topic words are made of: common characters, so that bigrams recur.
POOL = (
    "人民政府市区县镇村街道社区学校医院公司工厂银行交通道路水电气热网络数据信息平台服务中心"
    "管理委员会局办处科室站所队农业工业商业旅游文化体育卫生健康教育科技环境生态资源能源土地"
    "住房建设规划城乡港口物流园区开发投资贸易金融财政税收保险医疗药品食品安全应急消防治安法"
    "律司法检察监察纪律组织宣传统战民族宗教侨务外事人大政协党派群团妇女儿童青年老年残疾退役"
    "军人劳动就业社会保障救助福利志愿慈善捐赠基金项目资金预算审计统计考核评价监督检查整改落"
)

QUERIES = [
    ("2", "协会"), ("2", "养老"), ("2", "发展"), ("2", "慈善"),
    ("3", "养老院"), ("3", "工商联"), ("3", "充电桩"),
    ("4", "养老服务"), ("4", "行业协会"), ("4", "知识产权"),
]


def setup() -> None:
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("Set DATABASE_URL=postgres://… : this benchmark measures PostgreSQL indexes.")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def documents(count: int, seed: int = 2023):
    """``count`` documents of 15–60 clauses of 3–9 words: about 300 to 1,500 characters.

    Each document mixes generic words (FILLER) with six topic words of its own, made of
    common characters, and holds each PLANTED word with that word's probability.
    """
    rng = random.Random(seed)
    weights = [1 / (rank + 8) for rank in range(len(FILLER))]
    topics = ["".join(rng.choices(POOL, k=rng.randint(2, 4))) for _ in range(20_000)]
    for _ in range(count):
        own = rng.sample(topics, 6) + [w for w, p in PLANTED.items() if rng.random() < p]
        clauses = []
        for _ in range(rng.randint(15, 60)):
            words = rng.choices(FILLER, weights, k=rng.randint(2, 7))
            words.insert(rng.randrange(len(words) + 1), rng.choice(own))
            clauses.append("".join(words) + rng.choice("，，，。；、"))
        yield "".join(clauses)


def build(cursor, raw, count: int) -> dict[str, float]:
    from search.analysis import fold, terms_vector

    cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    cursor.execute(f"DROP TABLE IF EXISTS {TABLE}")
    cursor.execute(
        f"CREATE UNLOGGED TABLE {TABLE} (id serial PRIMARY KEY, body text, folded text,"
        " terms tsvector, terms_text text)"
    )
    timings = {}
    started = time.perf_counter()
    with raw.cursor() as copying, copying.copy(
        f"COPY {TABLE} (body, folded, terms, terms_text) FROM STDIN"
    ) as copy:
        for body in documents(count):
            terms = terms_vector(("D", body))
            copy.write_row((body, fold(body), terms, terms))
    timings["load (analysis in Python + COPY)"] = time.perf_counter() - started
    for name, sql in (
        ("trgm", f"CREATE INDEX {TABLE}_trgm ON {TABLE} USING gin (body gin_trgm_ops)"),
        ("bigram", f"CREATE INDEX {TABLE}_terms ON {TABLE} USING gin (terms)"),
        ("bigram-cast", f"CREATE INDEX {TABLE}_cast ON {TABLE} USING gin ((terms_text::tsvector))"),
    ):
        started = time.perf_counter()
        cursor.execute(sql)
        timings[f"index {name}"] = time.perf_counter() - started
    cursor.execute(f"VACUUM ANALYZE {TABLE}")
    return timings


def sizes(cursor) -> dict[str, str]:
    cursor.execute(
        "SELECT c.relname, pg_size_pretty(pg_relation_size(c.oid)) FROM pg_class c"
        " WHERE c.relname LIKE %s ORDER BY c.relname", [f"{TABLE}%"],
    )
    return dict(cursor.fetchall())


def statements(method: str, word: str) -> tuple[str, str, list, list]:
    """(count SQL, first-page SQL, WHERE parameters, rank parameters) of ``method`` for ``word``."""
    from search.analysis import fold, parse_query

    query = parse_query(word)
    like = "%" + fold(word) + "%"
    if method == "trgm":
        where, params = "body ILIKE %s", [like]
        order = "id"
        rank_params: list = []
    elif method == "phrase":
        where, params = "terms @@ %s::tsquery", [query.tsquery(phrase=True)]
        order, rank_params = "ts_rank(terms, %s::tsquery) DESC, id", [query.rank_tsquery()]
    else:
        column = "terms" if method == "bigram" else "terms_text::tsvector"
        where, params = f"{column} @@ %s::tsquery AND folded LIKE %s", [query.tsquery(), like]
        order, rank_params = f"ts_rank({column}, %s::tsquery) DESC, id", [query.rank_tsquery()]
    count_sql = f"SELECT count(*) FROM {TABLE} WHERE {where}"
    page_sql = f"SELECT id FROM {TABLE} WHERE {where} ORDER BY {order} LIMIT 20"
    return count_sql, page_sql, params, rank_params


def timed(cursor, sql: str, params: list, runs: int) -> tuple[float, object]:
    cursor.execute(sql, params)  # warm
    result = cursor.fetchall()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        cursor.execute(sql, params)
        cursor.fetchall()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000, result


def access(cursor, sql: str, params: list) -> str:
    """How the plan reaches the table's rows: the indexes it scans, or Seq Scan."""
    cursor.execute("EXPLAIN (FORMAT JSON) " + sql, params)
    plan = cursor.fetchone()[0]
    plan = json.loads(plan) if isinstance(plan, str) else plan
    found = []

    def walk(node):
        if node.get("Relation Name") == TABLE or node.get("Index Name", "").startswith(TABLE):
            found.append(node.get("Index Name", node["Node Type"]).removeprefix(f"{TABLE}_"))
        for child in node.get("Plans", []):
            walk(child)

    walk(plan[0]["Plan"])
    return "+".join(dict.fromkeys(found)) or "?"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("count", nargs="?", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--keep", action="store_true", help="keep the scratch table")
    options = parser.parse_args()
    setup()
    from django.db import connection

    connection.ensure_connection()
    raw = connection.connection
    raw.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute("SELECT version(), current_setting('lc_ctype')")
        version, ctype = cursor.fetchone()
        print(f"{version.split(',')[0]}; lc_ctype {ctype}; {options.count} documents, "
              f"median of {options.runs} runs")
        try:
            for step, seconds in build(cursor, raw, options.count).items():
                print(f"  {step:<36} {seconds:8.1f} s")
            cursor.execute(f"SELECT avg(length(body))::int FROM {TABLE}")
            print(f"  average document length {cursor.fetchone()[0]} characters")
            for name, size in sizes(cursor).items():
                print(f"  size {name:<40} {size}")
            print()
            print(f"{'query':<10}{'method':<13}{'matches':>9}{'count ms':>10}{'page ms':>10}  plan")
            for length, word in QUERIES:
                for method in ("trgm", "bigram", "phrase", "bigram-cast"):
                    count_sql, page_sql, params, rank_params = statements(method, word)
                    count_ms, rows = timed(cursor, count_sql, params, options.runs)
                    # The ranked page's rank parameter comes after the WHERE clause's.
                    page_ms, _ = timed(cursor, page_sql, params + rank_params, options.runs)
                    plan = access(cursor, count_sql, params)
                    print(f"{word + ' (' + length + ')':<10}{method:<13}{rows[0][0]:>9}"
                          f"{count_ms:>10.1f}{page_ms:>10.1f}  {plan}")
        finally:
            if not options.keep:
                cursor.execute(f"DROP TABLE IF EXISTS {TABLE}")


if __name__ == "__main__":
    main()
