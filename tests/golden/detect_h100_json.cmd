detect
--sysfs-root
../data/sysfs/h100-4
-o
json
