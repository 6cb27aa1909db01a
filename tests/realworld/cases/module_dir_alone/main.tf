# Case: module_dir_alone
# The caller of ./role. The golden report scans role/ alone, as a user who names a
# module directory does: it is scanned as a root module, with its variables unknown
# unless they have a default, and a note says so.
# expect (role/): a note that role/ is scanned as a root module; IAM402 on
# aws_iam_role.this (account 210987654321, the variable's default)
module "role" {
  source = "./role"
  name   = "deployer"
}
