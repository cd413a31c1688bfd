"""Seed the risk taxonomy of domain.md: three categories and the risks under them, each
named in English and Simplified Chinese."""

from django.db import migrations

TAXONOMY = [
    (
        "technological_safety",
        "Technological safety",
        "技术安全",
        [
            ("algorithmic-bias", "Algorithmic bias and non-discrimination", "算法偏见与非歧视"),
            ("model-vulnerabilities", "Model vulnerabilities", "模型漏洞"),
            (
                "rapid-iteration-risks",
                "Endogenous risks of rapid model iteration",
                "模型快速迭代的内生风险",
            ),
            (
                "reliability-controllability",
                "Reliability, controllability and explainability",
                "可靠性、可控性与可解释性",
            ),
            ("development-ethics", "Ethics in development and training", "研发与训练中的伦理"),
            (
                "advanced-ai-control",
                "Control of generative and super-intelligent AI",
                "生成式与超级智能人工智能的控制",
            ),
        ],
    ),
    (
        "application_security",
        "Application security",
        "应用安全",
        [
            ("malicious-use", "Malicious use by non-state actors", "非国家行为体的恶意使用"),
            (
                "social-disruption",
                "Social disruption, automation and workforce retraining",
                "社会冲击、自动化与劳动力再培训",
            ),
            ("militarization", "Militarization of AI", "人工智能军事化"),
            (
                "governance-gaps",
                "Incompatible governance systems and regulatory gaps",
                "治理体系不兼容与监管空白",
            ),
            (
                "interaction-spillover",
                "Spillover risks from international interaction",
                "国际互动的外溢风险",
            ),
        ],
    ),
    (
        "beneficial_use",
        "Beneficial use",
        "有益应用",
        [
            ("climate-governance", "AI for climate governance", "人工智能助力气候治理"),
            (
                "transnational-crime",
                "Countering drug trafficking and transnational crime",
                "打击毒品走私与跨国犯罪",
            ),
            (
                "technology-gap",
                "Bridging the technology gap between countries",
                "弥合国家间技术鸿沟",
            ),
        ],
    ),
]


def seed(apps, schema_editor):
    Topic = apps.get_model("debates", "Topic")
    for category, name, name_zh, risks in TAXONOMY:
        parent, _ = Topic.objects.update_or_create(
            code=category.replace("_", "-"),
            defaults={"name": name, "name_zh": name_zh, "category": category, "parent": None},
        )
        for code, risk_name, risk_name_zh in risks:
            Topic.objects.update_or_create(
                code=code,
                defaults={
                    "name": risk_name,
                    "name_zh": risk_name_zh,
                    "category": category,
                    "parent": parent,
                },
            )


def unseed(apps, schema_editor):
    Topic = apps.get_model("debates", "Topic")
    Topic.objects.filter(parent__isnull=False).delete()
    Topic.objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("debates", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
