select
--help
