"""The check pipeline: inputs, per-file audits, findings, filters, suppressions, baseline, fixes."""
