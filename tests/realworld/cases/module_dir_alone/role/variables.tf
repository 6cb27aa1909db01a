variable "name" {
  type = string
}

variable "trusted_account_id" {
  type    = string
  default = "210987654321"
}
