x = var.y
y = local.z
