# The settings scripts/infra_test.sh applies against moto (endpoint_url is passed on the command
# line with the server's port). Only what moto does not implement is switched off here:
# - create_dq_rulesets: moto 5.x has no Glue Data Quality API (CreateDataQualityRuleset).
# - attach_pandas_layer: moto checks that every layer ARN exists, and the AWS-managed
#   AWSSDKPandas layer lives in an AWS-owned account that moto does not have.
# - enable_raw_eventbridge_notifications: moto 5.2 accepts EventBridgeConfiguration but
#   never returns it, so every re-plan would show a change. The rule and the EVENT trigger it
#   feeds are still created and checked.
# - enable_tls_only_bucket_policies: moto 5.2 enforces bucket policies but ignores their
#   conditions, so "deny unless aws:SecureTransport" denies every request, HTTPS included.
# - enable_redshift stays false (its default): moto has no Redshift Serverless API.
region              = "us-east-1"
create_dq_rulesets  = false
attach_pandas_layer = false

enable_raw_eventbridge_notifications = false
enable_tls_only_bucket_policies      = false
alert_email                          = "oncall@example.com"
