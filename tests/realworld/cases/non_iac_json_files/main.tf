# Case: non_iac_json_files
# A Terraform root next to files that are not IaC: tsconfig.json (with comments), an
# empty .json and package.json. They are skipped with one note, never an error.
# expect: IAM302/IAM303 on aws_iam_policy.app; one note: 3 files skipped; complete scan
resource "aws_iam_policy" "app" {
  name = "app"
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "dynamodb:*", Resource = "*" }]
  })
}
