# Case: heredoc_indented_marker
# An indented heredoc (<<-) whose closing marker is followed by a tab.
# expect: IAM307 on aws_iam_role_policy.pass (iam:PassRole on *); IAM206 (inline)
resource "aws_iam_role_policy" "pass" {
  name = "pass"
  role = "deployer"
  policy = <<-JSON
    {
      "Version": "2012-10-17",
      "Statement": [{"Effect": "Allow", "Action": "iam:PassRole", "Resource": "*"}]
    }
    JSON	
}
