"""`llmstrategy size`: the sizing breakdown without a profile."""

from click.testing import CliRunner

from llmstrategy.cli import main


def test_size_prints_every_layout_and_prefers_tp2_for_70b_fp8():
    r = CliRunner().invoke(
        main, ["size", "llama-3.1-70b", "--gpu", "h100-sxm", "--precision", "fp8", "--input", "1000", "--output", "500"]
    )
    assert r.exit_code == 0, r.output
    lines = {ln.split()[0]: ln for ln in r.output.splitlines()[2:]}
    assert set(lines) == {"TP1", "TP2", "TP4", "TP8"}
    cost = {k: float(v.split("$")[-1].split()[0]) for k, v in lines.items() if "$" in v}
    # TP1 fits, barely: 81,559 MiB x 0.9 = 77.0 GB less 72.7 GB of weights (70.6 GB FP8 plus the BF16
    # embedding and LM head) less 1.9 GB of vLLM runtime memory leaves 2.3 GB of KV cache room;
    # TP2 is cheaper per token
    assert "2.3" in lines["TP1"].split()[2] and "TP1" in cost
    assert cost["TP2"] < cost["TP1"] and cost["TP2"] < cost["TP4"] < cost["TP8"]


def test_size_405b_bf16_needs_pipeline_stages():
    r = CliRunner().invoke(
        main,
        [
            "size",
            "llama-3.1-405b",
            "--gpu",
            "h100-sxm",
            "--precision",
            "bf16",
            "--input",
            "1000",
            "--output",
            "500",
            "--latency",
            "batch",
        ],
    )
    assert r.exit_code == 0
    assert "do not fit in 8 × 80 GB" in r.output and "TP8×PP2" in r.output


def test_size_unknown_ids_are_one_line_errors():
    r = CliRunner().invoke(main, ["size", "llama-3.1-70", "--gpu", "h100-sxm", "--input", "1", "--output", "1"])
    assert r.exit_code == 2 and "nearest: llama-3.1-70b" in r.output
    r = CliRunner().invoke(main, ["size", "llama-3.1-70b", "--gpu", "h10", "--input", "1", "--output", "1"])
    assert r.exit_code == 2 and "unknown GPU id 'h10'" in r.output
