SELECT generation FROM data_generation WHERE id = 1;
