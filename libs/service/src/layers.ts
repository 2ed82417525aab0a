/** The services of distributed mode (defined with the hop map in @skblab/contracts). */
export { LAYERS, isLayerName, type LayerName } from '@skblab/contracts';
