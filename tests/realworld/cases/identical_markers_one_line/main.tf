# Case: identical_markers_one_line
# One resource block with for_each makes five users at one file and line: the JSON
# report keeps one finding per user, the text report merges them into one entry.
# expect: IAM202 and IAM203 on each of the five users, IAM205 on each login profile;
# the text report shows one entry per rule and line
locals {
  people = toset(["ana", "ben", "cho", "dev", "eli"])
}

resource "aws_iam_user" "people" {
  for_each = local.people
  name     = each.key
}

resource "aws_iam_user_login_profile" "people" {
  for_each = local.people
  user     = aws_iam_user.people[each.key].name
}
