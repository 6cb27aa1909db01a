# Case: iam103_pgp_key
# A key created with pgp_key: the provider keeps only encrypted_secret; secret and
# ses_smtp_password_v4 are empty, so these outputs expose nothing.
# expect: IAM102 (active key, secret encrypted with a PGP key); IAM202; no IAM103
resource "aws_iam_user" "ci" {
  name = "ci"
}

resource "aws_iam_access_key" "ci" {
  user    = aws_iam_user.ci.name
  pgp_key = "keybase:ci_team"
}

output "ci_secret" {
  value     = aws_iam_access_key.ci.secret
  sensitive = true
}

output "ci_smtp_password" {
  value     = aws_iam_access_key.ci.ses_smtp_password_v4
  sensitive = true
}

output "ci_encrypted_secret" {
  value = aws_iam_access_key.ci.encrypted_secret
}
