# Case: lambda_permission_org
# Lambda permissions: to everyone within one organization (principal_org_id), to a
# service with source_arn, and to a service with only principal_org_id.
# expect: IAM502 on aws_lambda_permission.config only (a service principal without source_arn);
# principal_org_id is aws:PrincipalOrgID, a restricting condition for a grant to "*"
resource "aws_lambda_permission" "org" {
  statement_id     = "org"
  action           = "lambda:InvokeFunction"
  function_name    = "reports"
  principal        = "*"
  principal_org_id = "o-a1b2c3d4e5"
}

resource "aws_lambda_permission" "events" {
  statement_id  = "events"
  action        = "lambda:InvokeFunction"
  function_name = "reports"
  principal     = "events.amazonaws.com"
  source_arn    = "arn:aws:events:us-east-1:123456789012:rule/nightly"
}

resource "aws_lambda_permission" "config" {
  statement_id     = "config"
  action           = "lambda:InvokeFunction"
  function_name    = "reports"
  principal        = "config.amazonaws.com"
  principal_org_id = "o-a1b2c3d4e5"
}
