# Case: managed_policy_copied_inline
# An AWS-managed policy read with data "aws_iam_policy" (its partition from
# data.aws_partition, unknown here) and copied into an inline policy: the document is
# the shipped managed policy, evaluated like any other.
# expect: IAM303 on aws_iam_role_policy.eni (ec2:CreateNetworkInterface ... on '*'),
# IAM206 on both inline policies; nothing from the read-only copy
data "aws_partition" "current" {}

data "aws_iam_policy" "eni" {
  arn = "arn:${data.aws_partition.current.partition}:iam::aws:policy/service-role/AWSLambdaENIManagementAccess"
}

data "aws_iam_policy" "read_only" {
  arn = "arn:aws:iam::aws:policy/AWSLambda_ReadOnlyAccess"
}

resource "aws_iam_role_policy" "eni" {
  name   = "fn-eni"
  role   = "fn"
  policy = data.aws_iam_policy.eni.policy
}

resource "aws_iam_role_policy" "read_only" {
  name   = "fn-read"
  role   = "fn"
  policy = data.aws_iam_policy.read_only.policy
}
