select
--gpu
MI300X
