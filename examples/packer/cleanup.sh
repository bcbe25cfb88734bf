#!/usr/bin/env bash
# The clean-up AWS runs before it snapshots its EKS AL2023 AMIs (awslabs/amazon-eks-ami
# templates/al2023/provisioners/cleanup.sh, at 81fec2e8), run as root. Like the original it goes on past a file it
# cannot remove. The role (soci_bake) has already removed SOCI's data and its own backups.
dnf clean all 2>/dev/null
rm -rf /var/cache/dnf

rm -rf \
  /etc/hostname \
  /etc/machine-id \
  /etc/resolv.conf \
  /etc/ssh/ssh_host* \
  /home/ec2-user/.ssh/authorized_keys \
  /root/.ssh/authorized_keys \
  /var/lib/cloud/data \
  /var/lib/cloud/instance \
  /var/lib/cloud/instances \
  /var/lib/cloud/sem \
  /var/lib/dhclient/* \
  /var/lib/dhcp/dhclient.* \
  /var/lib/yum/history \
  /var/lib/dnf/history* \
  /var/log/cloud-init-output.log \
  /var/log/cloud-init.log \
  /var/log/secure \
  /var/log/wtmp \
  /var/log/messages

service auditd stop 2>/dev/null || true
truncate -s0 /var/log/audit/audit.log 2>/dev/null || true
rm -f /var/log/audit/audit.log.* 2>/dev/null || true
service auditd start 2>/dev/null || true

touch /etc/machine-id
