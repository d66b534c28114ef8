// SPDX-License-Identifier: GPL-2.0
/*
 * amp_rproc.c - remoteproc platform driver for samples/aarch64-amp: CPU 1 of
 * QEMU's virt board as a remote processor of the Linux that runs on CPU 0
 * (booted with maxcpus=1, so CPU 1 stays powered off for the remote).
 *
 * Device tree (linux/remoteproc.dtsi, appended to QEMU's own):
 *
 *   remoteproc {
 *           compatible = "rproc-bundle,aarch64-amp";
 *           memory-region = <&remote_ram>, <&vdev0vring0>, <&vdev0vring1>, <&vdev0buffer>;
 *           interrupts = <GIC_SPI 240 IRQ_TYPE_EDGE_RISING>; // remote -> Linux
 *           rproc-bundle,cpu = <1>;                         // MPIDR of the remote CPU
 *           rproc-bundle,kick-sgi = <8>;                    // Linux -> remote
 *           rproc-bundle,gicd = <&intc>;                    // GICv2 distributor (reg[0])
 *   };
 *
 * - memory: each memory-region (children of /reserved-memory, no-map) is
 *   registered as a carveout under its node name, mapped write-combining
 *   (Normal non-cacheable: the remote runs with its MMU and caches off);
 *   "vdev0buffer" is a shared-dma-pool that becomes the virtio device's DMA
 *   memory (the rpmsg buffers).
 * - loading: the remoteproc core's default ELF ops (rproc_elf_*).
 * - start: PSCI CPU_ON of the remote CPU at the ELF entry (context id 0),
 *   through the conduit /psci names.
 * - stop: the core has removed the virtio device, which clears DRIVER_OK in
 *   the loaded table's vdev status (0, then ACKNOWLEDGE again); the remote
 *   turns itself off (PSCI CPU_OFF) when it sees that, and the driver kicks
 *   it and waits until PSCI AFFINITY_INFO reads OFF.
 * - kicks: Linux -> remote, a GICv2 SGI to the remote CPU (GICD_SGIR);
 *   remote -> Linux, the remote sets the SPI pending (GICD_ISPENDR) and the
 *   threaded handler runs every vring's callback.
 */
#include <linux/arm-smccc.h>
#include <linux/delay.h>
#include <linux/interrupt.h>
#include <linux/io.h>
#include <linux/ktime.h>
#include <linux/module.h>
#include <linux/of.h>
#include <linux/of_address.h>
#include <linux/of_reserved_mem.h>
#include <linux/platform_device.h>
#include <linux/remoteproc.h>
#include <uapi/linux/psci.h>

/* remoteproc_internal.h is not in the headers package: what it declares of
 * the core's exports (the default ELF ops, the vring interrupt) */
int rproc_elf_sanity_check(struct rproc *rproc, const struct firmware *fw);
int rproc_elf_load_segments(struct rproc *rproc, const struct firmware *fw);
int rproc_elf_load_rsc_table(struct rproc *rproc, const struct firmware *fw);
struct resource_table *rproc_elf_find_loaded_rsc_table(struct rproc *rproc,
							const struct firmware *fw);
u64 rproc_elf_get_boot_addr(struct rproc *rproc, const struct firmware *fw);
irqreturn_t rproc_vq_interrupt(struct rproc *rproc, int vq_id);

#define GICD_SGIR	0xf00
#define STOP_TIMEOUT_MS	1000

struct amp_rproc {
	struct rproc *rproc;
	void __iomem *gicd;
	u32 cpu;	/* MPIDR of the remote CPU */
	u32 kick_sgi;
	bool smc;	/* the PSCI conduit: SMC, else HVC (/psci method) */
	int irq;
};

/*
 * PSCI through the conduit the device tree names. Not arm_smccc_1_1_invoke:
 * on QEMU 7.2's virt, arm_smccc_1_1_get_conduit() returns SMCCC_CONDUIT_NONE
 * (its PSCI does not offer SMCCC 1.1), and the PSCI driver's psci_ops are
 * not exported.
 */
static unsigned long amp_psci(struct amp_rproc *amp, u32 fn, unsigned long a1,
			      unsigned long a2)
{
	struct arm_smccc_res res;

	if (amp->smc)
		arm_smccc_smc(fn, a1, a2, 0, 0, 0, 0, 0, &res);
	else
		arm_smccc_hvc(fn, a1, a2, 0, 0, 0, 0, 0, &res);
	return res.a0;
}

static int amp_mem_alloc(struct rproc *rproc, struct rproc_mem_entry *mem)
{
	void *va = (__force void *)ioremap_wc(mem->dma, mem->len);

	if (!va) {
		dev_err(rproc->dev.parent, "cannot map %s at %pad (%zu bytes)\n",
			mem->name, &mem->dma, mem->len);
		return -ENOMEM;
	}
	mem->va = va;
	return 0;
}

static int amp_mem_release(struct rproc *rproc, struct rproc_mem_entry *mem)
{
	iounmap((__force void __iomem *)mem->va);
	return 0;
}

/* every memory-region of the node, as a carveout named like its node */
static int amp_prepare(struct rproc *rproc)
{
	struct device *dev = rproc->dev.parent;
	struct device_node *np = dev->of_node;
	struct of_phandle_iterator it;
	struct rproc_mem_entry *mem;
	struct reserved_mem *rmem;
	int index = 0;

	of_phandle_iterator_init(&it, np, "memory-region", NULL, 0);
	while (of_phandle_iterator_next(&it) == 0) {
		rmem = of_reserved_mem_lookup(it.node);
		if (!rmem) {
			dev_err(dev, "memory-region %pOFn is not reserved memory\n", it.node);
			of_node_put(it.node);
			return -EINVAL;
		}
		if (!strcmp(it.node->name, "vdev0buffer"))
			/* the virtio device's DMA pool: of_reserved_mem_device_init */
			mem = rproc_of_resm_mem_entry_init(dev, index, rmem->size,
							   rmem->base, it.node->name);
		else
			mem = rproc_mem_entry_init(dev, NULL, (dma_addr_t)rmem->base,
						   rmem->size, rmem->base,
						   amp_mem_alloc, amp_mem_release,
						   it.node->name);
		if (!mem) {
			of_node_put(it.node);
			return -ENOMEM;
		}
		rproc_add_carveout(rproc, mem);
		index++;
	}
	return 0;
}

static int amp_start(struct rproc *rproc)
{
	struct amp_rproc *amp = rproc->priv;
	struct device *dev = rproc->dev.parent;
	unsigned long ret;

	/* the context id (x0 at the entry) is not used by the echo remote */
	ret = amp_psci(amp, PSCI_0_2_FN64_CPU_ON, amp->cpu, rproc->bootaddr);
	if (ret) {
		dev_err(dev, "PSCI CPU_ON of cpu %u at 0x%llx failed: %ld\n",
			amp->cpu, rproc->bootaddr, (long)ret);
		return -EIO;
	}
	dev_info(dev, "cpu %u started at 0x%llx\n", amp->cpu, rproc->bootaddr);
	return 0;
}

static void amp_send_sgi(struct amp_rproc *amp)
{
	/* the writes to the vrings before the SGI */
	wmb();
	writel_relaxed((1u << (16 + (amp->cpu & 0xff))) | amp->kick_sgi,
		       amp->gicd + GICD_SGIR);
}

static void amp_kick(struct rproc *rproc, int vqid)
{
	amp_send_sgi(rproc->priv);
}

/* the remote turns itself off once it sees its vdev reset: wake it, wait */
static int amp_stop(struct rproc *rproc)
{
	struct amp_rproc *amp = rproc->priv;
	ktime_t start = ktime_get();
	unsigned long state;
	s64 ms;

	for (;;) {
		state = amp_psci(amp, PSCI_0_2_FN64_AFFINITY_INFO, amp->cpu, 0);
		ms = ktime_ms_delta(ktime_get(), start);
		if (state == PSCI_0_2_AFFINITY_LEVEL_OFF) {
			dev_info(rproc->dev.parent, "cpu %u off after %lld ms\n", amp->cpu, ms);
			return 0;
		}
		if (ms >= STOP_TIMEOUT_MS)
			break;
		amp_send_sgi(amp);
		usleep_range(500, 1000);
	}
	dev_err(rproc->dev.parent, "cpu %u still not off after %lld ms (AFFINITY_INFO %ld)\n",
		amp->cpu, ms, (long)state);
	return -ETIMEDOUT;
}

static irqreturn_t amp_vq_thread(int irq, void *data)
{
	struct rproc *rproc = data;
	int id = 0;

	/* the remote names no ring: run each one's callback (ids from 0, as Linux allocates them) */
	while (rproc_vq_interrupt(rproc, id) == IRQ_HANDLED)
		id++;
	return IRQ_HANDLED;
}

static const struct rproc_ops amp_rproc_ops = {
	.prepare = amp_prepare,
	.start = amp_start,
	.stop = amp_stop,
	.kick = amp_kick,
	.load = rproc_elf_load_segments,
	.parse_fw = rproc_elf_load_rsc_table,
	.find_loaded_rsc_table = rproc_elf_find_loaded_rsc_table,
	.sanity_check = rproc_elf_sanity_check,
	.get_boot_addr = rproc_elf_get_boot_addr,
};

static int amp_rproc_probe(struct platform_device *pdev)
{
	struct device *dev = &pdev->dev;
	struct device_node *np = dev->of_node;
	struct device_node *gic, *psci;
	const char *method;
	struct amp_rproc *amp;
	bool smc;
	struct rproc *rproc;
	const char *fw = NULL;
	int ret;

	psci = of_find_node_by_path("/psci");
	if (!psci || of_property_read_string(psci, "method", &method) ||
	    (strcmp(method, "hvc") && strcmp(method, "smc"))) {
		of_node_put(psci);
		dev_err(dev, "no /psci method (hvc or smc) in the device tree: cannot start a CPU\n");
		return -ENODEV;
	}
	smc = !strcmp(method, "smc");
	of_node_put(psci);
	of_property_read_string(np, "firmware-name", &fw);
	rproc = devm_rproc_alloc(dev, np->name, &amp_rproc_ops, fw, sizeof(*amp));
	if (!rproc)
		return -ENOMEM;
	amp = rproc->priv;
	amp->rproc = rproc;
	amp->smc = smc;
	if (of_property_read_u32(np, "rproc-bundle,cpu", &amp->cpu) ||
	    of_property_read_u32(np, "rproc-bundle,kick-sgi", &amp->kick_sgi) ||
	    amp->kick_sgi > 15) {
		dev_err(dev, "needs rproc-bundle,cpu and rproc-bundle,kick-sgi (0..15)\n");
		return -EINVAL;
	}
	gic = of_parse_phandle(np, "rproc-bundle,gicd", 0);
	if (!gic) {
		dev_err(dev, "needs rproc-bundle,gicd (the GICv2 node)\n");
		return -EINVAL;
	}
	amp->gicd = devm_of_iomap(dev, gic, 0, NULL);
	of_node_put(gic);
	if (IS_ERR(amp->gicd))
		return PTR_ERR(amp->gicd);

	amp->irq = platform_get_irq(pdev, 0);
	if (amp->irq < 0)
		return amp->irq;
	ret = devm_request_threaded_irq(dev, amp->irq, NULL, amp_vq_thread,
					IRQF_ONESHOT, dev_name(dev), rproc);
	if (ret)
		return ret;

	/* the remote's CPU must be off: Linux never brought it up (maxcpus=1) */
	if (amp_psci(amp, PSCI_0_2_FN64_AFFINITY_INFO, amp->cpu, 0) != PSCI_0_2_AFFINITY_LEVEL_OFF) {
		dev_err(dev, "cpu %u is not off (boot Linux with maxcpus=1)\n", amp->cpu);
		return -EBUSY;
	}
	rproc->auto_boot = false;
	ret = devm_rproc_add(dev, rproc);
	if (ret)
		return ret;
	platform_set_drvdata(pdev, rproc);
	dev_info(dev, "cpu %u, PSCI via %s, kick SGI %u, irq %d\n", amp->cpu,
		 smc ? "smc" : "hvc", amp->kick_sgi, amp->irq);
	return 0;
}

static const struct of_device_id amp_rproc_of_match[] = {
	{ .compatible = "rproc-bundle,aarch64-amp" },
	{}
};
MODULE_DEVICE_TABLE(of, amp_rproc_of_match);

static struct platform_driver amp_rproc_driver = {
	.probe = amp_rproc_probe,
	.driver = {
		.name = "amp_rproc",
		.of_match_table = amp_rproc_of_match,
	},
};
module_platform_driver(amp_rproc_driver);

MODULE_DESCRIPTION("rproc-bundle samples/aarch64-amp: CPU 1 of QEMU virt as a remote processor");
MODULE_LICENSE("GPL");
