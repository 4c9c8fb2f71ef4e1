# The directories dsinstall keeps a run's state in (journal, rendered files, backups) and its
# logs: root only, as they hold the bootstrap token and the certificate key. Made here, not
# packaged: cargo-generate-rpm 0.21.1 fails on `dir = true` assets (rpm 0.23 wants
# with_dir_entry for them). An existing directory keeps its contents and gets the mode.
# Erasing the package leaves them, with the backups `dsinstall reset` restores from.
install -d -m 0700 /var/lib/dsinstall /var/log/dsinstall
