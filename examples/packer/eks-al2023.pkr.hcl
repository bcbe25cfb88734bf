# An EKS AL2023 AMI (standard or NVIDIA) with SOCI baked in by lazypull.soci (docs/packer.md). Run from this folder:
#   ansible-galaxy collection build --output-path . <collection source> && mv lazypull-soci-*.tar.gz lazypull-soci.tar.gz
#   packer init . && packer build -var kubernetes_version=1.34 .
# Nodes boot from it with SOCI ready: nodeadm applies the baked NodeConfig drop-in at every boot; no Ansible runs then.
locals {
  # The names the Karpenter examples select (examples/karpenter/).
  ami_name = "lazypull-soci-al2023-${var.variant == "nvidia" ? "nvidia-" : ""}${var.arch}-${var.kubernetes_version}-${formatdate("YYYYMMDDhhmmss", timestamp())}"
}

source "amazon-ebs" "eks_al2023" {
  region        = var.region
  instance_type = var.instance_type
  ssh_username  = var.ssh_username
  ssh_pty       = true
  ami_name      = local.ami_name
  source_ami_filter {
    filters = {
      name                = "amazon-eks-node-al2023-${var.arch}-${var.variant}-${var.kubernetes_version}-v*"
      virtualization-type = "hvm"
    }
    owners      = ["amazon"]
    most_recent = true
  }
  tags = {
    "lazypull.soci/baked" = "true"
    "kubernetes-version"  = var.kubernetes_version
  }
}

build {
  sources = ["source.amazon-ebs.eks_al2023"]

  # The collection from its built artifact (requirements.yml), into a folder of this build's own.
  provisioner "ansible" {
    playbook_file    = "${path.root}/bake.yml"
    galaxy_file      = "${path.root}/requirements.yml"
    collections_path = "${path.root}/collections"
    user             = var.ssh_username
    use_proxy        = false
    extra_arguments = [
      "--extra-vars", jsonencode(merge(var.soci_vars, { soci_bake = "true" })),
      "--extra-vars", "ansible_python_interpreter=/usr/bin/python3",
    ]
    ansible_env_vars = ["ANSIBLE_HOST_KEY_CHECKING=False", "ANSIBLE_PIPELINING=True"]
  }

  # What AWS removes before it snapshots its own EKS AMIs (cleanup.sh).
  provisioner "shell" {
    script          = "${path.root}/cleanup.sh"
    execute_command = "chmod +x {{ .Path }}; sudo {{ .Path }}"
  }
}
