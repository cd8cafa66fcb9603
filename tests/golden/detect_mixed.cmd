detect
--sysfs-root
../data/sysfs/mixed
