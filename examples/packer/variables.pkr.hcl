variable "region" {
  type    = string
  default = "us-west-2"
}

variable "kubernetes_version" {
  type        = string
  default     = "1.34"
  description = "The Kubernetes version of the EKS AL2023 AMI to start from."
}

variable "variant" {
  type        = string
  default     = "standard"
  description = "standard, or nvidia for the accelerated AMI (bake one AMI per GPU instance family you run)."
  validation {
    condition     = contains(["standard", "nvidia"], var.variant)
    error_message = "The variant must be standard or nvidia."
  }
}

variable "arch" {
  type    = string
  default = "x86_64"
  validation {
    condition     = contains(["x86_64", "arm64"], var.arch)
    error_message = "The arch must be x86_64 or arm64."
  }
}

variable "instance_type" {
  type        = string
  default     = "m6i.xlarge"
  description = "The build instance. For nvidia, a type of the family the AMI is for (g5.xlarge, ...)."
}

variable "ssh_username" {
  type    = string
  default = "ec2-user"
}

variable "soci_vars" {
  type        = map(string)
  default     = {}
  description = "More variables for the lazypull.soci role (soci_pull_mode, soci_version, ...), as strings."
}
