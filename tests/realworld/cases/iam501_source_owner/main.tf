# Case: iam501_source_owner
# The default SNS topic policy: everyone, but only when the topic's owner is our account.
# expect: no finding (AWS:SourceOwner is a restricting condition; key case does not matter)
resource "aws_sns_topic_policy" "alerts" {
  arn = "arn:aws:sns:us-east-1:123456789012:alerts"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { AWS = "*" }
      Action    = ["SNS:GetTopicAttributes", "SNS:Publish"]
      Resource  = "arn:aws:sns:us-east-1:123456789012:alerts"
      Condition = { StringEquals = { "AWS:SourceOwner" = "123456789012" } }
    }]
  })
}
