detect
--sysfs-root
../data/sysfs/mi300x-8
