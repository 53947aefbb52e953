"""The ecosystem check: run builds of ctxlint over real public repositories and sessions, judge by hand.

Like the ecosystem checks the best linters run before a release (ruff's, mypy-primer): a committed list
of public repositories and agent sessions at pinned commits (never their content) in
`benchmarks/ecosystem/`, a run of one build over all of them, a diff of two runs, a listing of the
findings nobody has judged yet, and the per-rule precision and recall that the verdicts give.

    python benchmarks/ecosystem.py materialise [--only OWNER/NAME]
    python benchmarks/ecosystem.py run --src SRC_DIR --out RUN.json [--kind repos|sessions]
    python benchmarks/ecosystem.py diff OLD.json NEW.json [--all]
    python benchmarks/ecosystem.py judge RUN.json [--rule CTX106] [--context 4] [--all]
    python benchmarks/ecosystem.py precision RUN.json [RUN2.json ...] [--set development|held-out] [--write FILE.md]

The repositories come from the `fetch` tool's mirrors (bare git directories under `CTXLINT_MIRROR_DIR`,
default: the nearest `.mirror` beside the project or one of its parents, so a git worktree finds it too); checkouts go to `CTXLINT_ECO_DIR` (default
`$TMPDIR/ctxlint-eco`). Data formats: `benchmarks/ecosystem/README.md`.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

PROJECT = Path(__file__).resolve().parents[1]
DATA = PROJECT / "benchmarks" / "ecosystem"


def _default_mirror() -> Path:
    """The fetch tool's mirrors sit beside the project; a git worktree of it (../wt/<name>) is a level deeper."""
    for parent in PROJECT.parents:
        if (parent / ".mirror").is_dir():
            return parent / ".mirror"
    return PROJECT.parent / ".mirror"


MIRROR = Path(os.environ["CTXLINT_MIRROR_DIR"]) if "CTXLINT_MIRROR_DIR" in os.environ else _default_mirror()
CHECKOUTS = Path(os.environ.get("CTXLINT_ECO_DIR", Path(tempfile.gettempdir()) / "ctxlint-eco"))
JUDGED_SEVERITIES = ("error", "warning")
VERDICTS = ("right", "wrong", "doubtful")
VERDICT_FIELDS = ["repo", "commit", "path", "line", "fingerprint", "verdict", "reason"]
MISS_FIELDS = ["repo", "commit", "path", "line", "rule", "reason"]
NEAR_LINES = 3  # a miss is found by a finding of its rule this close to its line
FILE_LEVEL_RULES = ("CTX101", "CTX102", "CTX103")  # about a whole file: found anywhere in it
TIMEOUT_S = 600


@dataclass(frozen=True)
class Target:
    """One thing to check: a repository (kind "repos") or one session file in it (kind "sessions")."""

    kind: str
    repo: str
    commit: str
    path: str = "."  # the session file inside the repository; "." checks the whole repository
    agent: str = ""

    @property
    def checkout(self) -> Path:
        return CHECKOUTS / f"{self.repo.replace('/', '+')}@{self.commit[:12]}"

    @property
    def label(self) -> str:
        return self.repo if self.path == "." else f"{self.repo}:{self.path}"


def load_targets(kind: str | None = None) -> list[Target]:
    targets: list[Target] = []
    for name in ("repos", "sessions"):
        if kind not in (None, name):
            continue
        listed = DATA / f"{name}.yaml"
        if not listed.exists():
            continue
        for entry in yaml.safe_load(listed.read_text(encoding="utf-8")) or []:
            path = entry.get("path", ".") if name == "sessions" else "."
            targets.append(Target(name, entry["repo"], str(entry["commit"]), path, entry.get("agent", "")))
    return targets


# ---------------------------------------------------------------------------------------------
# Checkouts


def git_dir(repo: str) -> Path | None:
    """The fetched bare git directory of OWNER/NAME (a snapshot holds `repo/` or `repo/.git`)."""
    base = MIRROR / repo.replace("/", "+") / "repo"
    for candidate in (base / ".git", base):
        if (candidate / "HEAD").is_file() and (candidate / "objects").is_dir():
            return candidate
    return None


def _git(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[bytes]:
    # The checked-out trees are strangers' repositories: no hooks, no fsmonitor, no pager.
    safe = ["-c", "core.hooksPath=/dev/null", "-c", "core.fsmonitor=false", "--no-pager"]
    return subprocess.run(["git", *safe, *args], cwd=cwd, capture_output=True, check=False)


def materialise(target: Target) -> str | None:
    """Check the target out (idempotent). Returns an error text, or None when the checkout is there."""
    gitdir = git_dir(target.repo)
    dest = target.checkout
    if target.kind == "repos":
        if (dest / ".git").is_dir():
            return None
        if gitdir is None:
            return f"no mirror of {target.repo}: fetch it first"
        tmp = dest.with_name(dest.name + ".part")
        subprocess.run(["rm", "-rf", str(tmp)], check=False)
        tmp.parent.mkdir(parents=True, exist_ok=True)
        steps = (
            ("clone", "--quiet", "--shared", "--no-checkout", str(gitdir), str(tmp)),
            ("-C", str(tmp), "checkout", "--quiet", "--detach", target.commit),
        )
        for step in steps:
            done = _git(*step)
            if done.returncode != 0:
                return f"git {step[0] if step[0] != '-C' else step[2]}: {done.stderr.decode(errors='replace').strip()}"
        tmp.rename(dest)
        return None
    # A session: only its file and, for Claude Code, its companion directory (subagents/, tool-results/).
    wanted = dest / target.path
    if wanted.is_file():
        return None
    if gitdir is None:
        return f"no mirror of {target.repo}: fetch it first"
    paths = [target.path]
    companion = str(Path(target.path).with_suffix(""))
    if _git("--git-dir", str(gitdir), "cat-file", "-e", f"{target.commit}:{companion}").returncode == 0:
        paths.append(companion)
    dest.mkdir(parents=True, exist_ok=True)
    archive = _git("--git-dir", str(gitdir), "archive", "--format=tar", target.commit, "--", *paths)
    if archive.returncode != 0:
        return f"git archive: {archive.stderr.decode(errors='replace').strip()}"
    untar = subprocess.run(["tar", "-x", "-C", str(dest)], input=archive.stdout, capture_output=True, check=False)
    if untar.returncode != 0:
        return f"tar: {untar.stderr.decode(errors='replace').strip()}"
    return None


# ---------------------------------------------------------------------------------------------
# Runs


def build_id(src: Path) -> str:
    head = _git("-C", str(src), "rev-parse", "HEAD")
    dirty = _git("-C", str(src), "status", "--porcelain", "--untracked-files=no", "--", ".")
    sha = head.stdout.decode().strip() if head.returncode == 0 else "unknown"
    return sha + ("+dirty" if dirty.stdout.strip() else "")


def check(target: Target, src: Path, cache_dir: Path) -> dict[str, Any]:
    error = materialise(target)
    result: dict[str, Any] = {"repo": target.repo, "commit": target.commit, "path": target.path, "kind": target.kind}
    if error:
        return {**result, "status": "missing", "error": error}
    env = {**os.environ, "PYTHONPATH": str(src), "CTXLINT_CACHE_DIR": str(cache_dir), "NO_COLOR": "1"}
    env.pop("GITHUB_ACTIONS", None)
    cmd = [sys.executable, "-m", "ctxlint", "check", target.path, "--format", "json", "--fail-on", "never", "--no-config"]
    try:
        done = subprocess.run(cmd, cwd=target.checkout, env=env, capture_output=True, timeout=TIMEOUT_S, check=False)
    except subprocess.TimeoutExpired:
        return {**result, "status": "timeout", "error": f"no answer in {TIMEOUT_S} s"}
    stderr = done.stderr.decode(errors="replace").strip()
    if done.returncode != 0:
        return {**result, "status": f"exit {done.returncode}", "error": stderr[-500:]}
    report = json.loads(done.stdout)
    findings = [
        {
            "repo": target.repo,
            "commit": target.commit,
            "path": f["path"],
            "line": f["line"],
            "end_line": f.get("end_line", f["line"]),
            "rule": f["rule_id"],
            "name": f["rule_name"],
            "severity": f["severity"],
            "fingerprint": f["fingerprint"],
            "message": f["message"],
            "tokens_wasted": f.get("tokens_wasted", 0),
            "cost_wasted_usd": f.get("cost_wasted_usd"),
            **({"basis": f["basis"]} if "basis" in f else {}),
        }
        for f in report["findings"]
    ]
    files = [{k: f.get(k) for k in ("path", "kind", "agent", "tokens")} for f in report["files"]]
    # A repository whose files this build does not discover (a mixed-case Claude.md, say) exits 0 with an
    # empty report and "nothing to check" on stderr: still checked, and its listed misses count against recall.
    note = {"note": stderr[-200:]} if not files and stderr else {}
    return {**result, "status": "ok", **note, "files": files, "summary": report.get("summary", {}),
            "findings": findings}


def run(args: argparse.Namespace) -> None:
    src = Path(args.src).resolve()
    targets = [t for t in load_targets(args.kind) if not args.only or t.repo in args.only]
    with tempfile.TemporaryDirectory(prefix="ctxlint-eco-cache-") as cache:
        # Checkouts of one repository share a directory: make them before the parallel runs.
        for target in targets:
            materialise(target)
        with ThreadPoolExecutor(max_workers=args.jobs) as pool:
            results = list(pool.map(lambda t: check(t, src, Path(cache)), targets))
    findings = [f for r in results for f in r.pop("findings", [])]
    out = {"build": build_id(src), "src": str(src), "kind": args.kind or "all", "targets": results, "findings": findings}
    Path(args.out).write_text(json.dumps(out, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    bad = [r for r in results if r["status"] != "ok"]
    counts = Counter((f["rule"], f["severity"]) for f in findings)
    print(f"{len(results)} targets ({len(bad)} not checked), {len(findings)} findings -> {args.out}")
    for r in bad:
        print(f"  not checked: {r['repo']}:{r['path']} {r['status']}: {r.get('error', '')[:200]}")
    for (rule, severity), n in sorted(counts.items()):
        print(f"  {rule} {severity:8} {n}")


# ---------------------------------------------------------------------------------------------
# Verdicts and misses


def _key(f: dict[str, Any]) -> tuple[str, str, str, str]:
    return (f["repo"], f["path"], f["rule"], f["fingerprint"])


def load_verdicts() -> dict[tuple[str, str, str, str], list[dict[str, str]]]:
    """Verdicts by (repo, path, rule, fingerprint); several when one fingerprint occurs on several lines."""
    verdicts: dict[tuple[str, str, str, str], list[dict[str, str]]] = defaultdict(list)
    for listed in sorted((DATA / "verdicts").glob("CTX*.csv")):
        rule = listed.stem
        with listed.open(newline="", encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                if row["verdict"] not in VERDICTS:
                    raise SystemExit(f"{listed}: unknown verdict {row['verdict']!r} (one of {', '.join(VERDICTS)})")
                verdicts[(row["repo"], row["path"], rule, row["fingerprint"])].append(row)
    return verdicts


def verdict_for(finding: dict[str, Any], verdicts: dict[tuple[str, str, str, str], list[dict[str, str]]]) -> str | None:
    rows = verdicts.get(_key(finding))
    if not rows:
        return None
    same_line = [r for r in rows if r["line"] == str(finding["line"])]
    return (same_line or rows)[0]["verdict"]


def load_misses() -> list[dict[str, str]]:
    rows: list[dict[str, str]] = []
    for listed in sorted(DATA.glob("misses*.csv")):
        with listed.open(newline="", encoding="utf-8") as fh:
            rows.extend(csv.DictReader(fh))
    return rows


def _findings(paths: Iterable[str]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    findings: list[dict[str, Any]] = []
    targets: list[dict[str, Any]] = []
    for p in paths:
        run_data = json.loads(Path(p).read_text(encoding="utf-8"))
        findings.extend(run_data["findings"])
        targets.extend(run_data["targets"])
    return findings, targets


HELD_OUT_MARK = "held-out"  # in an entry's note: a target no rule was tuned on


def held_out() -> set[tuple[str, str]]:
    """(repo, path) of the held-out entries of repos.yaml and sessions.yaml (path "." for a repository)."""
    keys: set[tuple[str, str]] = set()
    for name in ("repos", "sessions"):
        listed = DATA / f"{name}.yaml"
        for entry in (yaml.safe_load(listed.read_text(encoding="utf-8")) or []) if listed.exists() else []:
            if HELD_OUT_MARK in str(entry.get("note") or ""):
                keys.add((entry["repo"], entry.get("path", ".") if name == "sessions" else "."))
    return keys


def _in_set(findings: list[dict[str, Any]], targets: list[dict[str, Any]], which: str
            ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The findings and targets of one set: "development" (not marked held-out), "held-out", or "all"."""
    if which == "all":
        return findings, targets
    marked = held_out()
    keep = [t for t in targets if ((t["repo"], t.get("path", ".")) in marked) == (which == "held-out")]
    sessions: dict[str, list[str]] = defaultdict(list)  # repo -> its session files (a finding may name a companion)
    repos: set[str] = set()
    for t in keep:
        if t.get("path", ".") == ".":
            repos.add(t["repo"])
        else:
            sessions[t["repo"]].append(t["path"])

    def kept(f: dict[str, Any]) -> bool:
        if f["repo"] in repos:
            return True
        return any(f["path"] == s or f["path"].startswith(os.path.splitext(s)[0] + "/") for s in sessions.get(f["repo"], ()))

    return [f for f in findings if kept(f)], keep


def judged_severity(f: dict[str, Any], include_info: bool = False) -> bool:
    return include_info or f["severity"] in JUDGED_SEVERITIES


# ---------------------------------------------------------------------------------------------
# diff


def diff(args: argparse.Namespace) -> None:
    old, _ = _findings([args.old])
    new, _ = _findings([args.new])
    old = [f for f in old if judged_severity(f, args.all)]
    new = [f for f in new if judged_severity(f, args.all)]
    by_old = {(*_key(f), f["line"]): f for f in old}
    by_new = {(*_key(f), f["line"]): f for f in new}
    verdicts = load_verdicts()
    appeared = [f for k, f in by_new.items() if k not in by_old]
    gone = [f for k, f in by_old.items() if k not in by_new]
    changed = [
        (by_old[k], f) for k, f in by_new.items()
        if k in by_old and (by_old[k]["message"], by_old[k]["severity"], by_old[k]["tokens_wasted"])
        != (f["message"], f["severity"], f["tokens_wasted"])
    ]
    for title, rows in (("appeared", appeared), ("disappeared", gone)):
        print(f"== {title}: {len(rows)}")
        for f in sorted(rows, key=lambda f: (f["rule"], f["repo"], f["path"], f["line"])):
            print(f"  [{verdict_for(f, verdicts) or 'unjudged'}] {_where(f)} {f['rule']} [{f['severity']}] {f['message'][:160]}")
    print(f"== changed: {len(changed)}")
    for before, after in changed:
        print(f"  [{verdict_for(after, verdicts) or 'unjudged'}] {_where(after)} {after['rule']}")
        print(f"      - [{before['severity']}] {before['message'][:160]} ({before['tokens_wasted']} tokens)")
        print(f"      + [{after['severity']}] {after['message'][:160]} ({after['tokens_wasted']} tokens)")
    net = Counter(f["rule"] for f in appeared)
    net.subtract(Counter(f["rule"] for f in gone))
    print("== net change per rule: " + ", ".join(f"{r} {n:+d}" for r, n in sorted(net.items()) if n) or "none")


def _where(f: dict[str, Any]) -> str:
    return f"{f['repo']}@{f['commit'][:8]}:{f['path']}:{f['line']}"


# ---------------------------------------------------------------------------------------------
# judge


def _context(f: dict[str, Any], lines: int) -> Iterator[str]:
    target = CHECKOUTS / f"{f['repo'].replace('/', '+')}@{f['commit'][:12]}"
    file = target / f["path"]
    try:
        with file.open("rb") as fh:
            first, last = max(1, f["line"] - lines), max(f["line"], f.get("end_line", f["line"])) + lines
            if file.suffix in (".jsonl", ".json"):
                first, last = f["line"], f["line"]
            for number, raw in enumerate(fh, 1):
                if number > last:
                    break
                if number >= first:
                    text = raw.decode("utf-8", errors="replace").rstrip("\n")
                    mark = ">" if f["line"] <= number <= f.get("end_line", f["line"]) else " "
                    yield f"    {mark}{number:5} {_summarise_record(text) if file.suffix in ('.jsonl', '.json') else text[:200]}"
    except OSError as exc:
        yield f"    (cannot read {file}: {exc.strerror})"


def _summarise_record(text: str) -> str:
    """One transcript record in a line: its type and the start of what it says."""
    try:
        record = json.loads(text)
    except ValueError:
        return text[:200]
    if not isinstance(record, dict):
        return text[:200]
    kind = record.get("type", "?")
    body = record.get("message") or record.get("payload") or record
    return f"{kind}: {json.dumps(body, ensure_ascii=False)[:300]}"


def judge(args: argparse.Namespace) -> None:
    findings, _ = _in_set(*_findings([args.run]), args.set)
    verdicts = load_verdicts()
    todo = [
        f for f in findings
        if judged_severity(f) and (not args.rule or f["rule"] in args.rule)
        and (args.all or verdict_for(f, verdicts) is None)
    ]
    todo.sort(key=lambda f: (f["rule"], f["repo"], f["path"], f["line"]))
    print(f"{len(todo)} findings to judge (CSV header for benchmarks/ecosystem/verdicts/<RULE>.csv: {','.join(VERDICT_FIELDS)})")
    for f in todo:
        print(f"\n{f['rule']} [{f['severity']}] {_where(f)}  fingerprint={f['fingerprint']}")
        print(f"  {f['message']}")
        print(f"  csv: {f['repo']},{f['commit']},{f['path']},{f['line']},{f['fingerprint']},VERDICT,REASON")
        for line in _context(f, args.context):
            print(line)


# ---------------------------------------------------------------------------------------------
# precision


def precision(args: argparse.Namespace) -> None:
    findings, targets = _in_set(*_findings(args.runs), args.set)
    verdicts = load_verdicts()
    per_rule: dict[str, Counter[str]] = defaultdict(Counter)
    for f in findings:
        if judged_severity(f):
            per_rule[f["rule"]][verdict_for(f, verdicts) or "unjudged"] += 1
    checked = {(t["repo"], t["commit"]) for t in targets if t["status"] == "ok"}
    misses = [m for m in load_misses() if (m["repo"], m["commit"]) in checked]
    found: Counter[str] = Counter()
    found_info: Counter[str] = Counter()
    wanted: Counter[str] = Counter()
    for miss in misses:
        wanted[miss["rule"]] += 1
        hits = [
            f for f in findings
            if f["repo"] == miss["repo"] and f["path"] == miss["path"] and f["rule"] == miss["rule"]
            and (miss["rule"] in FILE_LEVEL_RULES
                 or f["line"] - NEAR_LINES <= int(miss["line"] or 1) <= f.get("end_line", f["line"]) + NEAR_LINES)
        ]
        if any(judged_severity(f) for f in hits):
            found[miss["rule"]] += 1
        elif hits:
            found_info[miss["rule"]] += 1
    lines = [
        "| rule | findings (warning/error) | right | wrong | doubtful | unjudged | precision | misses found (w/e + info) of listed |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    totals: Counter[str] = Counter()
    for rule in sorted(set(per_rule) | set(wanted)):
        c = per_rule[rule]
        judged = c["right"] + c["wrong"] + c["doubtful"]
        totals.update(c)
        share = f"{100 * c['right'] / judged:.0f}%" if judged else "–"
        recall = f"{found[rule]} + {found_info[rule]} of {wanted[rule]}" if wanted[rule] else ""
        lines.append(f"| {rule} | {sum(c.values())} | {c['right']} | {c['wrong']} | {c['doubtful']} | {c['unjudged']} | {share} | {recall} |")
    judged_all = totals["right"] + totals["wrong"] + totals["doubtful"]
    lines.append(
        f"| all | {sum(totals.values())} | {totals['right']} | {totals['wrong']} | {totals['doubtful']} | "
        f"{totals['unjudged']} | {100 * totals['right'] / judged_all:.0f}% | "
        f"{sum(found.values())} + {sum(found_info.values())} of {sum(wanted.values())} |" if judged_all else "| all | 0 |"
    )
    ok = sum(1 for t in targets if t["status"] == "ok")
    head = f"{ok} of {len(targets)} targets checked; builds: " + ", ".join(
        sorted({json.loads(Path(p).read_text(encoding='utf-8'))['build'][:12] for p in args.runs})
    )
    table = "\n".join([head, "", *lines])
    print(table)
    if args.write:
        Path(args.write).write_text(table + "\n", encoding="utf-8")


def materialise_all(args: argparse.Namespace) -> None:
    failed = 0
    for target in load_targets(args.kind):
        if args.only and target.repo not in args.only:
            continue
        error = materialise(target)
        if error:
            failed += 1
            print(f"{target.label}: {error}")
    print(f"done; {failed} failed; checkouts in {CHECKOUTS}")
    sys.exit(1 if failed else 0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("materialise", help="check every listed target out")
    p.add_argument("--kind", choices=["repos", "sessions"])
    p.add_argument("--only", action="append", default=[], metavar="OWNER/NAME")
    p.set_defaults(func=materialise_all)
    p = sub.add_parser("run", help="run one build of ctxlint over the targets")
    p.add_argument("--src", required=True, help="the build: a src/ directory holding the ctxlint package")
    p.add_argument("--out", required=True)
    p.add_argument("--kind", choices=["repos", "sessions"])
    p.add_argument("--only", action="append", default=[], metavar="OWNER/NAME")
    p.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    p.set_defaults(func=run)
    p = sub.add_parser("diff", help="findings that appear, disappear or change between two runs")
    p.add_argument("old")
    p.add_argument("new")
    p.add_argument("--all", action="store_true", help="include info findings")
    p.set_defaults(func=diff)
    p = sub.add_parser("judge", help="list warning/error findings that have no verdict yet, with context")
    p.add_argument("run")
    p.add_argument("--rule", action="append", default=[])
    p.add_argument("--context", type=int, default=3)
    p.add_argument("--all", action="store_true", help="list judged findings too")
    p.add_argument("--set", choices=["all", "development", "held-out"], default="all")
    p.set_defaults(func=judge)
    p = sub.add_parser("precision", help="per-rule precision (verdicts) and recall (misses)")
    p.add_argument("runs", nargs="+")
    p.add_argument("--write", help="write the table to this Markdown file")
    p.add_argument("--set", choices=["all", "development", "held-out"], default="all",
                   help="only the targets marked held-out in their note, or only the others")
    p.set_defaults(func=precision)
    args = parser.parse_args()
    args.func(args)


if __name__ == "__main__":
    main()
