"""verify's Linux profile held against what the real kernel did, image by image.

What it owns: the profile's prediction for an image (``refused`` when a finding's
rule says Linux refuses, ``undefined`` when only rules Linux does not check
apply, else ``accepted``), the comparison with a :class:`~tests.linuxjudge.judge.Verdict`
(same outcome; every line the kernel printed at error level quoted by some
finding), and the report of agreements and disagreements.
"""

from __future__ import annotations

import inspect
import re

from bundler.loaders import check_firmware, make_context
from bundler.loaders.base import REFUSED, UNDEFINED
from bundler.records import Factory, Record
from tests.linuxjudge.judge import Image, Verdict

# The device prefix of a kernel line ("remoteproc remoteproc0: ", "rproc-virtio rproc-virtio.1.auto: ")
_PREFIX = re.compile(r"^[\w.-]+( [\w.:-]+)?: ")
# The firmware loader's own lines (drivers/base/firmware_loader), which name the file
_FW_LOADER = re.compile(r"firmware: failed to load |Direct firmware load for ")
# Instance numbers the profile cannot know
_INSTANCES = ((re.compile(r"rproc-virtio\.\d+\.auto"), "rproc-virtio.N.auto"),
              (re.compile(r"\bremoteproc\d+"), "remoteprocN"), (re.compile(r"\bvirtio\d+"), "virtioN"))


class Prediction(Record):
    outcome: str                       # accepted, refused, undefined
    findings: list = Factory(list)

    def text(self, linux_only: bool = False) -> str:
        shown = [f for f in self.findings if not linux_only or f.code.startswith("linux-")]
        return "; ".join(f"{f.code}: {f.message}" for f in shown) or "no finding"


def predict(image: Image, kernel: str) -> Prediction:
    """What verify's Linux profile says of ``image`` for ``kernel`` (a version such as "6.1")."""
    findings = _findings(image, kernel)
    ctx = make_context(image.data, "linux")
    outcomes = {ctx.outcome_of(f) for f in findings}
    outcome = REFUSED if REFUSED in outcomes else "undefined" if UNDEFINED in outcomes else "accepted"
    return Prediction(outcome=outcome, findings=findings)


def _findings(image: Image, kernel: str) -> list:
    """The Linux profile's findings for ``kernel`` (the rule layer bundle verify --loader linux
    --kernel V runs; before rules were per kernel, the one profile)."""
    if "kernel" in inspect.signature(check_firmware).parameters:
        return check_firmware(image.data, "linux", image.memory, kernel=kernel)
    return check_firmware(image.data, "linux", image.memory)


def quoted_by_exception(line: str) -> bool:
    """The firmware loader's own lines name the file: the profile need not quote them."""
    return _FW_LOADER.search(line) is not None


def words(line: str) -> str:
    """A kernel line as the profile can quote it: no device prefix, instance numbers as N."""
    line = _PREFIX.sub("", line, count=1)
    for pattern, name in _INSTANCES:
        line = pattern.sub(name, line)
    return line.strip()


class Comparison(Record):
    image: Image
    verdict: Verdict
    prediction: Prediction
    problem: str | None = None         # None: they agree

    @property
    def agrees(self) -> bool:
        return self.problem is None


def compare(image: Image, verdict: Verdict, prediction: Prediction) -> Comparison:
    """Agreement on the outcome, and every kernel error line quoted by a finding."""
    real, said = verdict.outcome, prediction.outcome
    problem = None
    if real not in ("accepted", "refused"):
        if said != "undefined":
            problem = f"the kernel {real}, verify says {said}"
    elif said == "undefined":
        pass            # Linux does not check it: any outcome is the luck of what follows the firmware buffer
    elif real != said:
        problem = f"the kernel {real} it, verify says {said}"
    else:
        messages = " ".join(words(f.message) for f in prediction.findings)
        missing = [ln for ln in verdict.errors if not quoted_by_exception(ln) and words(ln) not in messages]
        if missing:
            problem = "verify does not quote the kernel's " + "; ".join(repr(words(m)) for m in missing)
    return Comparison(image=image, verdict=verdict, prediction=prediction, problem=problem)


def report(kernel_label: str, comparisons: list[Comparison]) -> str:
    """One paragraph per disagreement: image, kernel, the kernel's words, verify's verdict."""
    out = []
    for c in comparisons:
        if c.agrees:
            continue
        out.append(f"{c.image.label} on {kernel_label}: {c.problem}\n"
                   f"  kernel: {c.verdict.outcome} (rc {c.verdict.rc}, state {c.verdict.state!r}): {c.verdict.said()}\n"
                   f"  verify: {c.prediction.outcome}: {c.prediction.text(linux_only=True)}")
    return "\n".join(out)


def summary(kernel, run, comparisons: list[Comparison]) -> str:
    """One line: the kernel, the counts, the run time."""
    outcomes: dict[str, int] = {}
    for c in comparisons:
        outcomes[c.verdict.outcome] = outcomes.get(c.verdict.outcome, 0) + 1
    undefined = sum(1 for c in comparisons if c.prediction.outcome == "undefined")
    agree = sum(1 for c in comparisons if c.agrees)
    counts = ", ".join(f"{n} {k}" for k, n in sorted(outcomes.items()))
    return (f"{kernel} ({run.uname}): {len(comparisons)} images ({counts}); verify agrees on {agree}, disagrees on "
            f"{len(comparisons) - agree} ({undefined} verify calls undefined); {run.boots} boot(s), "
            f"{run.seconds:.1f} s")


def as_json(run, comparisons: list[Comparison]) -> dict:
    return {"kernel": str(run.kernel), "uname": run.uname, "boots": run.boots, "seconds": round(run.seconds, 1),
            "images": [{"label": c.image.label, "kernel": c.verdict.outcome, "verify": c.prediction.outcome,
                        "agrees": c.agrees, "problem": c.problem, "rc": c.verdict.rc, "state": c.verdict.state,
                        "log": [[ln.level, ln.text] for ln in c.verdict.log],
                        "findings": [f"{f.code}: {f.message}" for f in c.prediction.findings]}
                       for c in comparisons]}


def cli_args(image: Image, path, kernel: str) -> list[str] | None:
    """``bundle verify PATH --loader linux --kernel V --memory ...`` for ``image``; None when its board has
    named carveouts (which only a device tree gives)."""
    memory = image.memory
    if memory is not None and memory.carveout_names:
        return None
    args = ["verify", str(path), "--loader", "linux", "--kernel", kernel]
    for r in (memory.ranges if memory is not None else []):
        args += ["--memory", f"{r.start:#x}:{r.size:#x}" + (f":{r.name}" if r.name else "")]
    return args


def cli_sample(comparisons: list[Comparison], per_outcome: int = 6) -> list[Comparison]:
    """Images for the command-line check: the production corpus, and up to ``per_outcome`` images of each
    kernel outcome with distinct error words."""
    out, seen = [], set()
    for c in comparisons:
        if "default_ops" in c.image.origin:
            out.append(c)
            continue
        key = (c.verdict.outcome, tuple(words(e) for e in c.verdict.errors[:1]))
        if c.verdict.outcome in ("accepted", "refused") and c.prediction.outcome != "undefined" and \
                key not in seen and c.image.memory is not None and not c.image.memory.carveout_names and \
                sum(1 for k in seen if k[0] == key[0]) < per_outcome:
            seen.add(key)
            out.append(c)
    return out
