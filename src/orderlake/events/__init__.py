"""Job-state events, locally as in AWS.

Glue job and crawler state changes are built in EventBridge's exact shape (`glue_events`), matched
against the rule patterns in `events/patterns/*.json` (`patterns`, the same files Terraform
reads), fanned out by a local SNS topic (`sns`) to the on-call email (`mail`, `messages`) and the
archive Lambda; `alerts` publishes the high-value sale alert. `local` wires it all for the runner.
"""
