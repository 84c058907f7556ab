import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  type ChartConfiguration,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
} from 'chart.js';
import { useEffect, useRef } from 'preact/hooks';

// Only the parts used here are registered, so the dashboard chunk carries no unused chart types.
Chart.register(
  BarController,
  BarElement,
  LineController,
  LineElement,
  PointElement,
  CategoryScale,
  LinearScale,
  Legend,
  Tooltip,
);

/** Colour-blind-safe palette (Okabe–Ito) with enough contrast on white. */
export const PALETTE = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#000000', '#F0E442'];

/**
 * One chart, with its figures also given as a table for screen readers and for copying
 * (the canvas itself is an image with a label).
 */
export const ChartPanel = ({
  title,
  config,
  table,
  testId,
}: {
  title: string;
  config: ChartConfiguration;
  table: preact.ComponentChildren;
  testId: string;
}) => {
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    if (!canvas.current) return;
    const chart = new Chart(canvas.current, {
      ...config,
      options: { animation: false, responsive: true, maintainAspectRatio: false, ...config.options },
    });
    return () => chart.destroy();
  }, [JSON.stringify(config.data)]);
  return (
    <figure class="chart" data-testid={testId}>
      <figcaption>
        <h2>{title}</h2>
      </figcaption>
      <div style={{ height: '260px' }}>
        <canvas ref={canvas} role="img" aria-label={`${title} (chart; the figures are in the table below)`} />
      </div>
      <details>
        <summary>Figures</summary>
        {table}
      </details>
    </figure>
  );
};
