"""What the Terraform AWS provider's resource types mean for IAM: which resources are
principals, policies, attachments and resource policies, and which attributes hold
credentials. Shared by the plan and HCL paths through the mapper."""

from __future__ import annotations

from typing import Final

from iacguard.model import PrincipalKind

PRINCIPAL_TYPES: Final = {
    "aws_iam_user": PrincipalKind.USER,
    "aws_iam_group": PrincipalKind.GROUP,
    "aws_iam_role": PrincipalKind.ROLE,
}
#: inline policy resources: type -> (attribute naming the holder, holder kind)
INLINE_TYPES: Final = {
    "aws_iam_role_policy": ("role", PrincipalKind.ROLE),
    "aws_iam_user_policy": ("user", PrincipalKind.USER),
    "aws_iam_group_policy": ("group", PrincipalKind.GROUP),
}
#: attachment resources: type -> (attribute naming the principal, its kind, attribute
#: holding the policy ARN or ARNs)
ATTACHMENT_TYPES: Final = {
    "aws_iam_role_policy_attachment": ("role", PrincipalKind.ROLE, "policy_arn"),
    "aws_iam_user_policy_attachment": ("user", PrincipalKind.USER, "policy_arn"),
    "aws_iam_group_policy_attachment": ("group", PrincipalKind.GROUP, "policy_arn"),
    "aws_iam_role_policy_attachments_exclusive": ("role_name", PrincipalKind.ROLE, "policy_arns"),
    "aws_iam_user_policy_attachments_exclusive": ("user_name", PrincipalKind.USER, "policy_arns"),
    "aws_iam_group_policy_attachments_exclusive": (
        "group_name",
        PrincipalKind.GROUP,
        "policy_arns",
    ),
}
#: resources holding a resource-based policy: type -> attribute with the document
RESOURCE_POLICY_ATTRIBUTES: Final = {
    "aws_s3_bucket_policy": "policy",
    "aws_s3_bucket": "policy",
    "aws_s3_access_point": "policy",
    "aws_sqs_queue_policy": "policy",
    "aws_sqs_queue": "policy",
    "aws_sns_topic_policy": "policy",
    "aws_sns_topic": "policy",
    "aws_kms_key": "policy",
    "aws_kms_key_policy": "policy",
    "aws_kms_external_key": "policy",
    "aws_kms_replica_key": "policy",
    "aws_kms_replica_external_key": "policy",
    "aws_ecr_repository_policy": "policy",
    "aws_ecr_registry_policy": "policy",
    "aws_ecrpublic_repository_policy": "policy",
    "aws_secretsmanager_secret_policy": "policy",
    "aws_secretsmanager_secret": "policy",
    "aws_opensearch_domain_policy": "access_policies",
    "aws_opensearch_domain": "access_policies",
    "aws_elasticsearch_domain_policy": "access_policies",
    "aws_elasticsearch_domain": "access_policies",
    "aws_glacier_vault": "access_policy",
    "aws_glacier_vault_lock": "policy",
    "aws_s3control_bucket_policy": "policy",
    "aws_s3control_access_point_policy": "policy",
    "aws_s3control_object_lambda_access_point_policy": "policy",
    "aws_s3tables_table_bucket_policy": "resource_policy",
    "aws_s3tables_table_policy": "resource_policy",
    "aws_ses_identity_policy": "policy",
    "aws_sesv2_email_identity_policy": "policy",
    "aws_kinesis_resource_policy": "policy",
    "aws_msk_cluster_policy": "policy",
    "aws_redshift_resource_policy": "policy",
    "aws_redshiftserverless_resource_policy": "policy",
    "aws_cloudwatch_log_destination_policy": "access_policy",
    "aws_cloudsearch_domain_service_access_policy": "access_policy",
    "aws_codebuild_resource_policy": "policy",
    "aws_schemas_registry_policy": "policy",
    "aws_oam_sink_policy": "policy",
    "aws_networkfirewall_resource_policy": "policy",
    "aws_xray_resource_policy": "policy_document",
    "aws_vpclattice_resource_policy": "policy",
    "aws_sagemaker_model_package_group_policy": "resource_policy",
    "aws_acmpca_policy": "policy",
    "aws_efs_file_system_policy": "policy",
    "aws_backup_vault_policy": "policy",
    "aws_cloudwatch_log_resource_policy": "policy_document",
    "aws_api_gateway_rest_api_policy": "policy",
    "aws_api_gateway_rest_api": "policy",
    "aws_codeartifact_domain_permissions_policy": "policy_document",
    "aws_codeartifact_repository_permissions_policy": "policy_document",
    "aws_glue_resource_policy": "policy",
    "aws_dynamodb_resource_policy": "policy",
    "aws_cloudwatch_event_bus_policy": "policy",
    "aws_media_store_container_policy": "policy",
    "aws_lambda_layer_version_permission": "",  # synthesised from principal/organization_id
}
#: attributes that hold credentials: (resource type, attribute)
SECRET_ATTRIBUTES: Final = frozenset(
    {
        ("aws_iam_access_key", "secret"),
        ("aws_iam_access_key", "ses_smtp_password_v4"),
        ("aws_iam_user_login_profile", "password"),
    }
)
#: the plain-text secret a whole resource object carries (``value = aws_iam_access_key.k``)
#: unless a ``pgp_key`` encrypts it: resource type -> attribute
WHOLE_OBJECT_SECRETS: Final = {
    "aws_iam_access_key": "secret",
    "aws_iam_user_login_profile": "password",
}
#: receiving attributes that store a value encrypted: (resource type, attribute)
ENCRYPTED_SINKS: Final = frozenset(
    {
        ("aws_secretsmanager_secret_version", "secret_string"),
        ("aws_secretsmanager_secret_version", "secret_binary"),
        ("aws_kms_ciphertext", "plaintext"),
    }
)
