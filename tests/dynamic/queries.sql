-- queries.sql — sqlite3 on a file database for tests/dynamic (native vs emu).
create table item(id integer primary key, name text, price real, cat text);
with recursive n(x) as (select 1 union all select x + 1 from n where x < 20000)
insert into item(name, price, cat) select 'item' || x, (x * 7919 % 1000) / 10.0, char(65 + x % 5) from n;
create index item_cat on item(cat, price);
select cat, count(*), round(sum(price), 2), min(price), max(price) from item group by cat order by cat;
select name, price from item where cat = 'C' and price > 99.5 order by price desc, name limit 5;
select count(*) from item a join item b on a.id = b.id + 1 where a.price > b.price;
begin; update item set price = price * 2 where id % 1000 = 0; commit;
select group_concat(name, ','), total(price) from (select * from item where id % 1000 = 0 order by id);
create table kv(k text primary key, v blob) without rowid;
insert into kv values ('a', x'00ff'), ('b', zeroblob(100000)), ('c', 'text');
select k, length(v), hex(substr(v, 1, 2)) from kv order by k;
select printf('%.3f', avg(price)), json_object('n', count(*)) from item;
pragma integrity_check;
