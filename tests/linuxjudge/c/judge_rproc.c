// SPDX-License-Identifier: GPL-2.0
/*
 * judge_rproc - a remoteproc platform driver for rproc-bundle's test suite.
 *
 * It registers one remote processor ("judge") with Linux's default ELF ops
 * (rproc_elf_sanity_check, rproc_elf_load_rsc_table, rproc_elf_load_segments,
 * rproc_elf_find_loaded_rsc_table, rproc_elf_get_boot_addr), so that the
 * kernel's own remoteproc core judges each firmware image written to
 * /sys/class/remoteproc/remoteprocN/firmware. The board is described by the
 * module parameter "regions": name@da:size[:c],... Each region is backed by
 * physical memory taken in order from [pool, pool + pool_size) (memory Linux
 * does not use: boot with mem=768M on a 1 GiB -M virt machine) and mapped
 * with memremap; da_to_va maps a device address range inside one region.
 * A region flagged ":c" is also registered as a carveout under its name in
 * .prepare, as stm32_rproc and imx_rproc register their DT memory-regions,
 * so resource-table carveouts and vdevNvringM rings find it by name.
 *
 * .start and .stop run nothing: the remote is a bystander, the verdict is the
 * loader's (the sysfs write returns 0 and the state reads "running", or
 * "Boot failed: -N").
 */

#include <linux/firmware.h>
#include <linux/io.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/platform_device.h>
#include <linux/remoteproc.h>
#include <linux/slab.h>
#include <linux/string.h>

/* Exported by the remoteproc core; declared in remoteproc_internal.h, which no headers package ships. */
int rproc_elf_sanity_check(struct rproc *rproc, const struct firmware *fw);
int rproc_elf_load_segments(struct rproc *rproc, const struct firmware *fw);
int rproc_elf_load_rsc_table(struct rproc *rproc, const struct firmware *fw);
struct resource_table *rproc_elf_find_loaded_rsc_table(struct rproc *rproc, const struct firmware *fw);
u64 rproc_elf_get_boot_addr(struct rproc *rproc, const struct firmware *fw);

#define JUDGE_MAX_REGIONS 8

static char *regions = "";
module_param(regions, charp, 0444);
MODULE_PARM_DESC(regions, "the remote's memory: name@da:size[:c],... (c: also a named carveout)");

static ulong pool = 0x70000000;
module_param(pool, ulong, 0444);
MODULE_PARM_DESC(pool, "physical base of the memory backing the regions");

static ulong pool_size = 0x10000000;
module_param(pool_size, ulong, 0444);
MODULE_PARM_DESC(pool_size, "bytes of physical memory at pool");

struct judge_region {
	char name[32];
	u64 da;
	size_t len;
	phys_addr_t pa;
	void *va;
	bool carveout;
};

struct judge {
	struct judge_region region[JUDGE_MAX_REGIONS];
	int n;
};

static struct platform_device *judge_pdev;

static int judge_parse(struct device *dev, struct judge *j)
{
	char *spec, *cur, *item;
	phys_addr_t next = pool;

	spec = kstrdup(regions, GFP_KERNEL);
	if (!spec)
		return -ENOMEM;
	cur = spec;
	while ((item = strsep(&cur, ",")) != NULL) {
		struct judge_region *r;
		char *at, *colon, *flag;
		unsigned long long da, len;

		if (!*item)
			continue;
		if (j->n == JUDGE_MAX_REGIONS)
			goto bad;
		r = &j->region[j->n];
		at = strchr(item, '@');
		if (!at)
			goto bad;
		*at++ = '\0';
		colon = strchr(at, ':');
		if (!colon)
			goto bad;
		*colon++ = '\0';
		flag = strchr(colon, ':');
		if (flag)
			*flag++ = '\0';
		if (kstrtoull(at, 0, &da) || kstrtoull(colon, 0, &len) || !len)
			goto bad;
		strscpy(r->name, item, sizeof(r->name));
		r->da = da;
		r->len = len;
		r->carveout = flag && *flag == 'c';
		r->pa = next;
		next += PAGE_ALIGN(len);
		if (next > pool + pool_size) {
			dev_err(dev, "regions need more than pool_size 0x%lx bytes\n", pool_size);
			kfree(spec);
			return -ENOMEM;
		}
		r->va = devm_memremap(dev, r->pa, len, MEMREMAP_WC);
		if (IS_ERR(r->va)) {
			kfree(spec);
			return PTR_ERR(r->va);
		}
		memset(r->va, 0, len);
		j->n++;
	}
	kfree(spec);
	return 0;
bad:
	dev_err(dev, "bad regions parameter \"%s\"\n", regions);
	kfree(spec);
	return -EINVAL;
}

static int judge_prepare(struct rproc *rproc)
{
	struct judge *j = rproc->priv;
	int i;

	for (i = 0; i < j->n; i++) {
		struct judge_region *r = &j->region[i];
		struct rproc_mem_entry *mem;

		if (!r->carveout)
			continue;
		mem = rproc_mem_entry_init(rproc->dev.parent, r->va, r->pa, r->len, r->da,
					   NULL, NULL, "%s", r->name);
		if (!mem)
			return -ENOMEM;
		rproc_add_carveout(rproc, mem);
	}
	return 0;
}

static void *judge_da_to_va(struct rproc *rproc, u64 da, size_t len, bool *is_iomem)
{
	struct judge *j = rproc->priv;
	int i;

	for (i = 0; i < j->n; i++) {
		struct judge_region *r = &j->region[i];

		if (da >= r->da && len <= r->len && da - r->da <= r->len - len)
			return r->va + (da - r->da);
	}
	return NULL;
}

static int judge_start(struct rproc *rproc)
{
	return 0;
}

static int judge_stop(struct rproc *rproc)
{
	return 0;
}

static void judge_kick(struct rproc *rproc, int vqid)
{
}

static const struct rproc_ops judge_ops = {
	.prepare = judge_prepare,
	.start = judge_start,
	.stop = judge_stop,
	.kick = judge_kick,
	.da_to_va = judge_da_to_va,
	.sanity_check = rproc_elf_sanity_check,
	.parse_fw = rproc_elf_load_rsc_table,
	.find_loaded_rsc_table = rproc_elf_find_loaded_rsc_table,
	.load = rproc_elf_load_segments,
	.get_boot_addr = rproc_elf_get_boot_addr,
};

static int judge_probe(struct platform_device *pdev)
{
	struct device *dev = &pdev->dev;
	struct rproc *rproc;
	struct judge *j;
	int ret;

	rproc = devm_rproc_alloc(dev, "judge", &judge_ops, NULL, sizeof(*j));
	if (!rproc)
		return -ENOMEM;
	j = rproc->priv;
	ret = judge_parse(dev, j);
	if (ret)
		return ret;
	rproc->auto_boot = false;
	platform_set_drvdata(pdev, rproc);
	return devm_rproc_add(dev, rproc);
}

static struct platform_driver judge_driver = {
	.probe = judge_probe,
	.driver = {
		.name = "judge-rproc",
	},
};

static int __init judge_init(void)
{
	int ret;

	ret = platform_driver_register(&judge_driver);
	if (ret)
		return ret;
	judge_pdev = platform_device_register_simple("judge-rproc", -1, NULL, 0);
	if (IS_ERR(judge_pdev)) {
		platform_driver_unregister(&judge_driver);
		return PTR_ERR(judge_pdev);
	}
	return 0;
}

static void __exit judge_exit(void)
{
	platform_device_unregister(judge_pdev);
	platform_driver_unregister(&judge_driver);
}

module_init(judge_init);
module_exit(judge_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("rproc-bundle test remoteproc driver: Linux's default ELF ops on a described board");
