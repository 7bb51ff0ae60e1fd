import { useMemo } from 'react';
import { useLanguage } from '../../shared/i18n.ts';
import { useSession } from '../../shared/session.tsx';
import type { Page, Product } from '../../shared/types.ts';
import { useApi } from '../../shared/use-api.ts';

export interface ProductNames {
  /** "氧化镨钕" for PRND_OXIDE in Chinese; the code itself when the catalogue does not know it. */
  readonly nameOf: (code: string) => string;
  readonly options: readonly { value: string; label: string }[];
  readonly products: readonly Product[];
}

/** The product catalogue (one page holds it whole), for names in tables and the product choice in forms. */
export function useProducts(): ProductNames {
  const language = useLanguage();
  const { can } = useSession();
  const loaded = useApi<Page<Product>>(can('reference.read') ? '/products' : null, { page_size: 200 });
  return useMemo(() => {
    const products = loaded.data?.items ?? [];
    const byCode = new Map(products.map((product) => [product.code, product]));
    const nameOf = (code: string) => {
      const product = byCode.get(code);
      if (!product) return code;
      return language === 'zh' ? product.name_zh : product.name_en;
    };
    const options = products
      .filter((product) => product.active)
      .map((product) => ({ value: product.code, label: `${nameOf(product.code)}（${product.code}）` }));
    return { nameOf, options, products };
  }, [loaded.data, language]);
}
