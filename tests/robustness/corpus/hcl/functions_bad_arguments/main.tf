locals {
  a = format("%s %s %d", "one")
  b = zipmap(["a", "b"], [1])
  c = tonumber("abc")
  d = range(0, 10, 0)
  e = element([], 3)
  f = jsondecode("{not json")
  g = base64decode("!!!")
  h = lookup({}, "k")
  i = not_a_function(1, 2)
  j = file("/etc/passwd")
  k = file("../../../../etc/shadow")
  l = templatefile("missing.tpl", {})
  m = regex("(", "x")
  n = coalesce()
  o = split()
  p = tostring([1])
  q = "${1 / 0}"
  r = 5 % 0
  s = -"x"
  t = !7
  u = [for x in 5 : x]
  v = { for k, v in "s" : k => v }
  w = local.missing.attribute[7]
  x = jsondecode("[" + "1" + "]")
  y = flatten([[[[[[[[[[]]]]]]]]]])
  z = merge(1, "x")
}
resource "aws_iam_user_policy" "p" {
  user   = "u"
  policy = jsonencode({ Statement = [{ Effect = "Allow", Action = [local.a, local.b, local.c, local.d, local.e, local.f, local.g, local.h, local.i, local.j, local.k, local.l, local.m, local.n, local.o, local.p, local.q, local.r, local.s, local.t, local.u, local.v, local.w, local.x, local.y, local.z], Resource = "*" }] })
}
