select
../data/models/broken-config
--gpu
MI300X
