# The plugins this template uses (Packer 1.7 and later install them with `packer init .`). Packer releases before 1.7
# (Debian's 1.6.6) carry both built in and do not know this block: the test validates and builds without this file.
packer {
  required_version = ">= 1.7.0"
  required_plugins {
    amazon = {
      version = ">= 1.3.0"
      source  = "github.com/hashicorp/amazon"
    }
    ansible = {
      version = ">= 1.1.0"
      source  = "github.com/hashicorp/ansible"
    }
  }
}
