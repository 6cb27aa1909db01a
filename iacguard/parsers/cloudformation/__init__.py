"""CloudFormation: templates decoded with their positions (``template``), intrinsic
functions, SAM and ``Fn::ForEach``, and the mapping into the IAM graph."""
