#!/usr/bin/env python3
"""Unit test of tools/loadgen/bench-check on fixed inputs: no benchmark runs, no timing."""
import importlib.machinery
import importlib.util
import json
import os
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
_loader = importlib.machinery.SourceFileLoader("bench_check", os.path.join(HERE, "bench-check"))
_spec = importlib.util.spec_from_loader("bench_check", _loader)
bench_check = importlib.util.module_from_spec(_spec)
_loader.exec_module(bench_check)

RESULTS = """# results

| ratio | recorded |
|---|---:|
| GetCustomer gateway/raw_sql | 0.10 |

Older figures above; the last table counts.

| ratio | recorded |
|---|---:|
| GetCustomer gateway/raw_sql | 0.20 |
| GetCustomer gateway/direct | 0.80 |
| CreateCustomer gateway/raw_sql | 0.50 |
"""


def run(get_gateway, get_direct, get_raw, create=None):
    ops = [{
        "operation": "GetCustomer",
        "gateway": {"calls_per_second": get_gateway, "skipped": False},
        "direct": {"calls_per_second": get_direct, "skipped": False},
        "raw_sql": {"calls_per_second": get_raw, "skipped": False},
    }]
    if create is not None:
        ops.append({
            "operation": "CreateCustomer",
            "gateway": {"calls_per_second": create[0], "skipped": False},
            "direct": {"calls_per_second": 0, "skipped": True},
            "raw_sql": {"calls_per_second": create[1], "skipped": False},
        })
    return {"operations": ops}


class BenchCheckTest(unittest.TestCase):
    def test_reads_the_last_recorded_table(self):
        recorded = bench_check.recorded_ratios(RESULTS)
        self.assertEqual(recorded[("GetCustomer", "gateway", "raw_sql")], 0.20)
        self.assertEqual(len(recorded), 3)

    def test_ratios_of_a_run_skip_what_was_not_measured(self):
        ratios = bench_check.run_ratios(run(2000, 2500, 10000, create=(900, 2000)))
        self.assertAlmostEqual(ratios[("GetCustomer", "gateway", "raw_sql")], 0.20)
        self.assertAlmostEqual(ratios[("CreateCustomer", "gateway", "raw_sql")], 0.45)
        self.assertNotIn(("CreateCustomer", "direct", "raw_sql"), ratios)

    def test_scenarios_that_started_busy_are_named(self):
        busy = run(2000, 2500, 10000)
        busy["operations"][0]["gateway"]["started_quiet"] = False
        busy["operations"][0]["gateway"]["name"] = "GetCustomer via gateway"
        busy["operations"][0]["direct"]["started_quiet"] = True
        self.assertEqual(bench_check.busy_starts(busy), ["GetCustomer via gateway"])
        self.assertEqual(bench_check.busy_starts(run(2000, 2500, 10000)), [])

    def test_a_drop_of_more_than_the_limit_is_reported(self):
        recorded = bench_check.recorded_ratios(RESULTS)
        # 0.15 is 25 % below 0.20.
        _, dropped = bench_check.compare(recorded, bench_check.run_ratios(run(1500, 1875, 10000)),
                                         0.20)
        self.assertTrue(dropped)

    def test_a_smaller_drop_passes(self):
        recorded = bench_check.recorded_ratios(RESULTS)
        # 0.17 is 15 % below 0.20; gateway/direct 0.80 as recorded; creates not measured.
        lines, dropped = bench_check.compare(recorded,
                                             bench_check.run_ratios(run(1700, 2125, 10000)), 0.20)
        self.assertFalse(dropped)
        self.assertTrue(any("not measured" in line for line in lines))

    def test_exit_status(self):
        with tempfile.TemporaryDirectory() as tmp:
            results = os.path.join(tmp, "RESULTS.md")
            with open(results, "w", encoding="utf-8") as f:
                f.write(RESULTS)
            good = os.path.join(tmp, "good.json")
            with open(good, "w", encoding="utf-8") as f:
                json.dump(run(2100, 2500, 10000, create=(1000, 2000)), f)
            bad = os.path.join(tmp, "bad.json")
            with open(bad, "w", encoding="utf-8") as f:
                json.dump(run(1000, 2500, 10000), f)
            self.assertEqual(bench_check.main(["--results", results, good]), 0)
            self.assertEqual(bench_check.main(["--results", results, bad]), 1)
            self.assertEqual(bench_check.main(["--results", results, os.path.join(tmp, "no")]), 2)


if __name__ == "__main__":
    unittest.main()
