"""Lints IAM policy documents with parliament (https://github.com/duo-labs/parliament), as its CLI does with
--include-community-auditors, and prints every finding as JSON, muted ones included: the test decides what passes.

stdin:  [{"name": "...", "document": {...}}, ...]
stdout: {"version": "...", "findings": [{"name", "issue", "severity", "title", "detail", "location"}, ...]}
"""

import json
import sys
from pathlib import Path

import parliament
from parliament import analyze_policy_string, enhance_finding, override_config


def main() -> None:
    policies = json.load(sys.stdin)
    override_config(Path(parliament.__file__).parent / "community_auditors" / "config_override.yaml")
    findings = []
    for policy in policies:
        try:
            analyzed = analyze_policy_string(
                json.dumps(policy["document"]),
                policy["name"],
                include_community_auditors=True,
                config=parliament.config,
            )
        except Exception as error:  # parliament itself failed on this document: a finding no allow-list accepts
            findings.append({"name": policy["name"], "issue": "LINTER_ERROR", "severity": "CRITICAL",
                             "title": "parliament raised", "detail": repr(error), "location": {}})
            continue
        for finding in analyzed.findings:
            finding = enhance_finding(finding)
            findings.append(
                {
                    "name": policy["name"],
                    "issue": finding.issue,
                    "severity": finding.severity,
                    "title": finding.title,
                    "detail": finding.detail if isinstance(finding.detail, str) else json.dumps(finding.detail, default=str),
                    # parliament keeps one location dict across findings, so its filepath may name another policy.
                    "location": {key: str(value) for key, value in (finding.location or {}).items() if key != "filepath"},
                }
            )
    json.dump({"version": parliament.__version__, "findings": findings}, sys.stdout)


if __name__ == "__main__":
    main()
